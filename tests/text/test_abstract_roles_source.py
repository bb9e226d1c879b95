"""Where an abstract's roles come from: its headings, the configured role model, or nowhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from medlm.errors import InputError
from medlm.text.abstract_roles import (
    NO_ROLE,
    ConfiguredRoleModel,
    abstract_roles,
    load_configured_role_model,
)
from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.trials import extract_trial_facts

UNSTRUCTURED = (
    "Hypertension is common. We aimed to test drug A. Adults were randomized, e.g. by site. "
    "Blood pressure fell by 10 mmHg. Drug A lowers blood pressure."
)
STRUCTURED = (
    "Drug A in hypertension\nBACKGROUND: Hypertension is common.\n"
    "METHODS: Adults were randomized.\nRESULTS: Blood pressure fell.\n"
    "CONCLUSIONS: Drug A lowers blood pressure."
)


@dataclass(frozen=True)
class Prediction:
    role: str
    score: float


class ByPosition:
    """A stand-in role model that labels by position and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def predict_abstract(self, sentences: Sequence[str]) -> list[Prediction]:
        self.calls += 1
        roles = ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
        return [Prediction(roles[min(i, 4)], 0.8) for i in range(len(sentences))]


def test_a_structured_abstract_takes_its_heading_roles_even_with_a_model() -> None:
    model = ByPosition()
    roles = abstract_roles(STRUCTURED, ConfiguredRoleModel("stub", model))
    assert roles.source == "headings" and roles.model is None and model.calls == 0
    labels = [s.label for s in roles.spans]
    assert labels == [NO_ROLE, "BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert roles.spans[2].text_in(STRUCTURED) == "METHODS: Adults were randomized."


def test_an_unstructured_abstract_is_labelled_by_the_model_and_names_it() -> None:
    roles = abstract_roles(UNSTRUCTURED, ConfiguredRoleModel("roles-v2 (stub)", ByPosition()))
    assert roles.source == "model" and roles.model == "roles-v2 (stub)"
    assert [s.label for s in roles.spans][-1] == "CONCLUSIONS"
    assert all(s.score == 0.8 for s in roles.spans)


def test_without_a_model_an_unstructured_abstracts_roles_are_not_predicted() -> None:
    roles = abstract_roles(UNSTRUCTURED)
    assert roles.source == "none" and roles.model is None
    assert len(roles.spans) == 5 and {s.label for s in roles.spans} == {NO_ROLE}


def test_trial_facts_say_where_their_roles_came_from() -> None:
    analyzer = MedicalTextAnalyzer()
    plain = extract_trial_facts(analyzer.analyze(UNSTRUCTURED))
    assert (plain.roles_source, plain.roles_model, plain.sentence_roles) == ("none", None, ())
    headed = extract_trial_facts(analyzer.analyze(STRUCTURED), roles=ByPosition())
    assert headed.roles_source == "headings"
    assert headed.sentence_roles[0].label == "BACKGROUND"  # the title has none
    named = extract_trial_facts(
        analyzer.analyze(UNSTRUCTURED), roles=ConfiguredRoleModel("roles-v2", ByPosition())
    )
    assert (named.roles_source, named.roles_model) == ("model", "roles-v2")


def test_no_configured_folder_loads_no_model_and_a_missing_one_is_refused(tmp_path: Path) -> None:
    assert load_configured_role_model(None) is None
    with pytest.raises(InputError, match="does not exist"):
        load_configured_role_model(tmp_path / "no-such-model")


def test_configured_per_sentence_model_runs_in_the_configured_precision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[str, Path | None]] = []

    class Classifier:
        def use_precision(self, precision: str, *, cache_dir: Path | None = None) -> None:
            calls.append((precision, cache_dir))

        def predict_abstract(self, sentences: list[str]) -> list[object]:
            return []

    import medlm.training.abstract_model as abstract_model

    monkeypatch.setattr(abstract_model, "load_role_model", lambda folder: Classifier())
    monkeypatch.setattr(abstract_model, "is_abstract_model", lambda folder: False)
    load_configured_role_model(tmp_path, precision="auto", cache_dir=tmp_path / "cache")
    load_configured_role_model(tmp_path, precision="fp32")
    assert calls == [("auto", tmp_path / "cache")]  # fp32 is the loaded model as it is
