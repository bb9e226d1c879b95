"""A trial abstract for the trial-report page: its sentences with their roles and the facts
`medlm.text.trials.extract_trial_facts` reads.

Roles come from the abstract's own section headings ("METHODS: ...") when it has any, else
from the service's configured sentence-role model (`settings.lm.sentence_role_model`, either
kind); the view says which (`medlm.text.abstract_roles`). Without a configured model an
unstructured abstract's roles are not predicted, and the page says so.
"""

from __future__ import annotations

from pydantic import BaseModel

from medlm.text import MedicalTextAnalyzer
from medlm.text.abstract_roles import (
    NO_ROLE,
    ConfiguredRoleModel,
    RoledSentence,
    RoleSource,
    abstract_roles,
    roled_sentences,
)
from medlm.text.trials import TrialFacts, design_label, extract_trial_facts

__all__ = ["NO_ROLE", "RoledSentence", "TrialView", "roled_sentences", "trial_view"]


class TrialView(BaseModel):
    """What the trial page shows."""

    sentences: list[RoledSentence]
    roles_source: RoleSource
    roles_model: str | None = None
    roles_journal: str | None = None
    facts: TrialFacts
    design: list[str]
    outcomes: list[str]


def trial_view(
    text: str,
    analyzer: MedicalTextAnalyzer,
    role_model: ConfiguredRoleModel | None = None,
    journal: str = "",
) -> TrialView:
    """Sentences with roles and the extracted facts of an abstract (InputError on bad text);
    `journal` is read by a role model that reads journals and knows it."""
    roles = abstract_roles(text, role_model, journal=journal)
    facts = extract_trial_facts(analyzer.analyze(text), roles=roles)
    return TrialView(
        sentences=[RoledSentence(text=s.text_in(text), role=s.label) for s in roles.spans],
        roles_source=roles.source,
        roles_model=roles.model,
        roles_journal=roles.journal,
        facts=facts,
        design=list(dict.fromkeys(design_label(s.text_in(text)) for s in facts.design)),
        outcomes=[s.text_in(text) for s in facts.outcomes],
    )
