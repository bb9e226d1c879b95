"""Rule-based facts of randomized-trial abstracts: design, size, people, arms, outcomes, effects.

Each fact keeps its character span in the abstract. Effect measures are read with their value,
95% confidence interval and p-value where written ("HR 0.72, 95% CI 0.60-0.86; P<0.001").
Interventions and comparators are the drug (or target) entities of the analysed text that sit in
an "X versus Y" / "X compared with Y" / "X or placebo" phrase, then the arms named in such phrases
of the title and objective or after "randomized to" (`medlm.text.trial_arms`), which also reads
the population and the primary outcomes.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.medline import Citation
from medlm.records import Span
from medlm.text.abstract_roles import (
    NO_ROLE,
    AbstractRoles,
    ConfiguredRoleModel,
    RoleLabeller,
    RoleSource,
    abstract_roles,
)
from medlm.text.numbers import NUMBER_WORDS, words_to_int
from medlm.text.results import Entity, TextAnalysis
from medlm.text.trial_arms import arm_spans, outcome_spans, population_spans

_DESIGN = re.compile(
    r"\b(randomi[sz]ed|double[- ]blind(?:ed)?|single[- ]blind(?:ed)?|triple[- ]blind(?:ed)?|"
    r"open[- ]label|placebo[- ]controlled|cross[- ]?over|cluster[- ]randomi[sz]ed|"
    r"multi-?cent(?:er|re)|"
    r"non-?inferiority|parallel[- ]group|pilot|factorial)\b",
    re.IGNORECASE,
)
_DESIGN_LABELS = (
    (r"cluster-randomi[sz]ed", "cluster-randomized"),
    (r"randomi[sz]ed", "randomized"),
    (r"(double|single|triple)-blind(ed)?", r"\1-blind"),
    (r"multi-?cent(er|re)", "multicenter"),
    (r"non-?inferiority", "non-inferiority"),
    (r"cross-?over", "crossover"),
    (r"parallel-group", "parallel-group"),
)
_PEOPLE = (
    r"(?:patients|participants|subjects|adults|children|women|men|individuals|volunteers|"
    r"infants|persons|people)"
)
_COUNT = rf"(?P<n>\d[\d,]*|{NUMBER_WORDS.pattern})"
_SIZE = (
    re.compile(rf"{_COUNT}\s+(?:[\w-]+\s+){{0,3}}?(?:{_PEOPLE}|[a-z]+s)\b", re.IGNORECASE),
    re.compile(r"\b[Nn]\s*=\s*(?P<n>\d[\d,]*)"),
    re.compile(r"\brandomi[sz]ed\s+(?P<n>\d[\d,]*)\b", re.IGNORECASE),
)
# Words near a count that say it is the trial's size, with their weight.
_SIZE_CONTEXT = (
    (re.compile(r"randomi[sz]|randomly", re.I), 2),
    (re.compile(r"a total of|enrol|includ|recruit|assigned|allocated|participated", re.I), 1),
)
_NUM = r"-?\d+(?:\.\d+)?"
_EFFECT = re.compile(
    rf"\b(?P<kind>hazard ratio|odds ratio|relative risk|risk ratio|rate ratio|mean difference|"
    rf"HR|aHR|OR|aOR|RR|MD|IRR)\b\s*(?:\((?:HR|OR|RR|MD|IRR)\))?"
    r"(?:\s+(?:for|of)\s+[\w -]{1,40}?\s+(?:was|were|is))?\s*(?:[:=,]|of|was)?\s*"
    rf"(?P<v>{_NUM})"
    rf"(?:\s*[;,(\[]?\s*(?:95\s*%\s*(?:CI|confidence interval)|95\s*%)\s*[:=,]?\s*"
    rf"(?P<lo>{_NUM})\s*(?:-|–|to|,)\s*(?P<hi>{_NUM}))?",
)
_P = re.compile(r"\b[Pp]\s*(?P<op>[<=>≤≥])\s*(?P<p>0?\.\d+|1(?:\.0+)?)")
_KINDS = {
    "hr": "hazard ratio",
    "ahr": "hazard ratio",
    "or": "odds ratio",
    "aor": "odds ratio",
    "rr": "risk ratio",
    "relative risk": "risk ratio",
    "md": "mean difference",
    "irr": "rate ratio",
}
_VERSUS = re.compile(r"\b(?:versus|vs\.?|compared (?:with|to)|or)\b", re.IGNORECASE)


class EffectMeasure(BaseModel):
    """An effect estimate as written: kind, value, 95% CI and the nearest p-value."""

    model_config = ConfigDict(frozen=True)

    span: Span
    kind: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: str | None = Field(default=None, description="As written, e.g. '<0.001'.")


class TrialFacts(BaseModel):
    """What a trial abstract says about its design, people, arms, outcomes and effects."""

    model_config = ConfigDict(frozen=True)

    design: tuple[Span, ...] = ()
    sample_size: int | None = None
    sample_size_span: Span | None = None
    age_range: tuple[float, float] | None = None
    population: tuple[str, ...] = Field(default=(), description="Who was studied, as written.")
    conditions: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    comparators: tuple[str, ...] = ()
    outcomes: tuple[Span, ...] = ()
    effects: tuple[EffectMeasure, ...] = ()
    sentence_roles: tuple[Span, ...] = Field(
        default=(), description="Each sentence's role, from the headings or a role model."
    )
    roles_source: RoleSource = Field(
        default="none", description="headings, model (named in roles_model) or none."
    )
    roles_model: str | None = None
    roles_journal: str | None = Field(
        default=None, description="The journal the role model read (None: none, or unknown)."
    )


def abstract_text(citation: Citation) -> str:
    """A MEDLINE abstract as one text: title, then one 'LABEL: text' line per section.

    Character offsets in medlm's trial annotations refer to this form.
    """
    parts = [citation.title]
    for section in citation.sections:
        label = section.label or section.nlm_category
        parts.append(f"{label.upper()}: {section.text}" if label else section.text)
    return "\n".join(parts)


def design_label(written: str) -> str:
    """The canonical label of a design term as written ('double-blinded' -> 'double-blind')."""
    text = written.lower().replace(" ", "-")
    for pattern, label in _DESIGN_LABELS:
        if m := re.fullmatch(pattern, text):
            return m.expand(label)
    return text


def _count(written: str) -> int | None:
    digits = written.replace(",", "")
    return int(digits) if digits.isdigit() else words_to_int(written)


def _sample_size(text: str) -> tuple[int, Span] | None:
    """The count with the strongest trial-size context ('randomized' > 'enrolled'), first wins."""
    best: tuple[int, int, int, Span] | None = None  # (-score, start, n, span)
    for rank, pattern in enumerate(_SIZE):
        for m in pattern.finditer(text):
            n = _count(m.group("n"))
            if n is None or not 4 <= n <= 10_000_000:
                continue
            window = text[max(0, m.start() - 60) : m.end() + 60]
            score = sum(w for p, w in _SIZE_CONTEXT if p.search(window)) - rank
            if score <= 0:
                continue
            span = Span(start=m.start("n"), end=m.end("n"), label="sample_size")
            if best is None or (-score, m.start()) < (best[0], best[1]):
                best = (-score, m.start(), n, span)
    return (best[2], best[3]) if best else None


def _effects(text: str) -> list[EffectMeasure]:
    out = []
    for m in _EFFECT.finditer(text):
        kind = m.group("kind")
        p = _P.search(text, m.end(), min(len(text), m.end() + 40))
        out.append(
            EffectMeasure(
                span=Span(start=m.start(), end=m.end(), label="effect"),
                kind=_KINDS.get(kind.lower(), kind.lower()),
                value=float(m.group("v")),
                ci_low=float(m.group("lo")) if m.group("lo") else None,
                ci_high=float(m.group("hi")) if m.group("hi") else None,
                p_value=f"{p.group('op')}{p.group('p')}" if p else None,
            )
        )
    return out


def _arms(text: str, entities: list[Entity]) -> tuple[list[str], list[str]]:
    """Interventions before and comparators after a 'versus'-like word, in the same sentence."""
    drugs = [e for e in entities if e.label in {"medication", "target"}]
    interventions: list[str] = []
    comparators: list[str] = []
    for m in _VERSUS.finditer(text):
        before = [e for e in drugs if 0 <= m.start() - e.end <= 40]
        after = [e for e in drugs if 0 <= e.start - m.end() <= 40]
        if not after and text[m.end() : m.end() + 9].strip().lower().startswith("placebo"):
            comparators.append("placebo")
        if before and (after or comparators):
            interventions.extend(e.preferred_name or e.text for e in before)
            comparators.extend(e.preferred_name or e.text for e in after)
    return _unique(interventions), _unique(comparators)


def _unique(items: list[str]) -> list[str]:
    """First of each item, ignoring case."""
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lower(), item)
    return list(seen.values())


def _roles(
    text: str, roles: RoleLabeller | ConfiguredRoleModel | AbstractRoles | None
) -> AbstractRoles:
    if isinstance(roles, AbstractRoles):
        return roles
    if roles is None or isinstance(roles, ConfiguredRoleModel):
        return abstract_roles(text, roles)
    return abstract_roles(text, ConfiguredRoleModel(name=type(roles).__name__, labeller=roles))


def extract_trial_facts(
    analysis: TextAnalysis, roles: RoleLabeller | ConfiguredRoleModel | AbstractRoles | None = None
) -> TrialFacts:
    """Trial facts from an analysed abstract (entities give the drugs and conditions).

    Each sentence also gets its role (`medlm.text.abstract_roles`): from the section headings
    of a structured abstract, else from `roles` (a role model, or roles already labelled);
    without one, an unstructured abstract's roles are not predicted (`roles_source` "none").
    """
    text = analysis.text
    labelled = _roles(text, roles)
    size = _sample_size(text)
    ages = [e.measurement for e in analysis.entities if e.label == "age" and e.measurement]
    ranged = [a for a in ages if a.value2 is not None]
    drugs_in, drugs_out = _arms(text, list(analysis.entities))
    named_in, named_out = arm_spans(text)
    interventions = _unique(drugs_in + [text[s.start : s.end] for s in named_in])
    comparators = _unique(drugs_out + [text[s.start : s.end] for s in named_out])
    if re.search(r"(?<!not )placebo[- ]controlled", text, re.IGNORECASE):
        comparators = _unique([*comparators, "placebo"])
    conditions = [
        e.preferred_name or e.text
        for e in analysis.entities
        if e.label == "problem" and not e.assertion.negated
    ]
    return TrialFacts(
        design=tuple(
            Span(start=m.start(), end=m.end(), label=m.group().lower())
            for m in _DESIGN.finditer(text)
        ),
        sample_size=size[0] if size else None,
        sample_size_span=size[1] if size else None,
        age_range=(ranged[0].value, float(ranged[0].value2 or 0)) if ranged else None,
        conditions=tuple(_unique(conditions)[:5]),
        interventions=tuple(interventions),
        comparators=tuple(comparators),
        population=tuple(_unique([text[s.start : s.end] for s in population_spans(text)])),
        outcomes=tuple(outcome_spans(text)),
        effects=tuple(_effects(text)),
        sentence_roles=tuple(s for s in labelled.spans if s.label != NO_ROLE),
        roles_source=labelled.source,
        roles_model=labelled.model,
        roles_journal=labelled.journal,
    )
