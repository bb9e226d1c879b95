"""The guideline knowledge files: every rule cites a known document with a verification tag, and
the numbers the rules act on are pinned to the guideline text they paraphrase."""

from __future__ import annotations

from typing import Any

import pytest

from medlm.errors import ConfigError
from medlm.knowledge import treatment as treatment_knowledge
from medlm.knowledge.treatment import load_treatment_knowledge

K = load_treatment_knowledge()


def _cites(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        own = [value["cite"]] if isinstance(value.get("cite"), dict) else []
        return own + [c for k, v in value.items() if k != "cite" for c in _cites(v)]
    if isinstance(value, list):
        return [c for v in value for c in _cites(v)]
    return []


@pytest.mark.parametrize("section", ["atrial_fibrillation", "heart_failure", "ckd", "hypertension"])
def test_every_rule_cites_a_known_document_with_a_tag(section: str) -> None:
    cites = _cites(K.guidelines[section])
    assert cites
    for raw in cites:
        citation = K.cite(raw)
        assert citation.verification in {"V", "S", "U"} and citation.section


def test_thresholds_are_pinned_to_the_guidelines() -> None:
    af, hf, ckd = (
        K.guidelines["atrial_fibrillation"],
        K.guidelines["heart_failure"],
        K.guidelines["ckd"],
    )
    assert af["recommend"]["at_least"] == {"male": 2, "female": 3}
    assert af["reasonable"]["at"] == {"male": 1, "female": 2}
    mra = next(p for p in hf["pillars"] if p["key"] == "mra")
    assert (mra["egfr_above"], mra["potassium_below"]) == (30, 5.0)
    assert hf["hfref_lvef_at_most_percent"] == 40
    assert ckd["raas"]["albuminuria_acr_at_least_mg_per_g"] == 30
    assert (
        ckd["sglt2_inhibitor"]["egfr_at_least"],
        ckd["sglt2_inhibitor"]["acr_at_least_mg_per_g"],
    ) == (20, 200)
    readings = K.guidelines["hypertension"]["readings"]
    assert (readings["min_readings"], readings["min_occasions"]) == (2, 2)


def test_every_antihypertensive_class_exists_and_verapamil_is_counted() -> None:
    classes = K.guidelines["hypertension"]["antihypertensive_classes"]
    assert all(c in K.classes for c in classes)
    counted = set().union(*(K.classes[c].members for c in classes))
    assert {"verapamil", "diltiazem", "metoprolol", "furosemide", "doxazosin"} <= counted


def test_a_guideline_file_repeating_a_section_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        treatment_knowledge, "GUIDELINE_FILES", ("guidelines.yaml", "ckd.yaml", "ckd.yaml")
    )
    with pytest.raises(ConfigError, match=r"ckd\.yaml"):
        load_treatment_knowledge()
