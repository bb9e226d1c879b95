"""Value sets: every concept of the vocabulary, code look-up by system and code, text mapping."""

from __future__ import annotations

import pytest

from medlm.errors import ConfigError
from medlm.knowledge.concepts import build_library, load_concepts
from medlm.records import CodeSystem, Coding

OBSERVATION_KEYS = {
    "glucose": "mg/dL", "hba1c": "%", "total_cholesterol": "mg/dL", "ldl_cholesterol": "mg/dL",
    "hdl_cholesterol": "mg/dL", "triglycerides": "mg/dL", "creatinine": "mg/dL",
    "egfr": "mL/min/{1.73_m2}", "egfr_unnormalized": "mL/min", "urine_acr": "mg/g",
    "potassium": "mmol/L", "sodium": "mmol/L", "systolic_bp": "mm[Hg]", "diastolic_bp": "mm[Hg]",
    "heart_rate": "/min", "respiratory_rate": "/min", "spo2": "%", "body_temperature": "Cel",
    "body_weight": "kg", "body_height": "cm", "bmi": "kg/m2", "pregnancy_status": None,
    "oxygen_flow": "L/min", "inspired_oxygen": "%", "consciousness": None, "ascvd_risk_10y": "%",
}  # fmt: skip
CONDITION_KEYS = {
    "type2_diabetes", "type1_diabetes", "diabetes", "prediabetes", "hypertension",
    "heart_failure", "atrial_fibrillation", "clinical_cvd", "coronary_artery_disease", "stroke",
    "ckd", "ckd_stage_3_plus", "ckd_stage_4_5", "albuminuria", "pregnancy", "copd",
}  # fmt: skip


def loinc(code: str) -> Coding:
    return Coding(system=CodeSystem.LOINC, code=code)


def snomed(code: str) -> Coding:
    return Coding(system=CodeSystem.SNOMED, code=code)


def icd(code: str) -> Coding:
    return Coding(system=CodeSystem.ICD10CM, code=code)


def test_every_vocabulary_concept_has_a_value_set_with_its_canonical_unit() -> None:
    library = load_concepts()  # other areas may add their own concepts beside these
    assert {k: library.observations[k].unit for k in OBSERVATION_KEYS} == OBSERVATION_KEYS
    assert set(library.conditions) >= CONDITION_KEYS


@pytest.mark.parametrize(
    ("code", "key"),
    [("2339-0", "glucose"), ("2345-7", "glucose"), ("8480-6", "systolic_bp"),
     ("8331-1", "body_temperature"), ("8310-5", "body_temperature"), ("33914-3", "egfr"),
     ("98979-8", "egfr"), ("62238-1", "egfr"), ("14959-1", "urine_acr"), ("4548-4", "hba1c"),
     ("59261-8", "hba1c"), ("38483-4", "creatinine"), ("2947-0", "sodium")],
)  # fmt: skip
def test_real_data_loinc_codes_map_to_their_concept(code: str, key: str) -> None:
    found = load_concepts().observation_concept(loinc(code))
    assert found is not None and found.key == key


def test_observation_lookup_needs_system_and_code() -> None:
    library = load_concepts()
    assert library.observation_concept(Coding(system="http://example.org", code="2339-0")) is None
    medlm = library.observation_concept(Coding(system="urn:medlm", code="ascvd-10y-risk"))
    assert medlm is not None and medlm.key == "ascvd_risk_10y"
    assert library.observation_concept(loinc("85354-9")) is None  # a panel, not a value


@pytest.mark.parametrize(
    ("coding", "expected"),
    [
        (snomed("88805009"), {"heart_failure"}),
        (snomed("44054006"), {"type2_diabetes", "diabetes"}),
        (snomed("433144002"), {"ckd_stage_3_plus", "ckd"}),
        (snomed("46177005"), {"ckd_stage_4_5", "ckd_stage_3_plus", "ckd"}),
        (snomed("22298006"), {"coronary_artery_disease", "clinical_cvd"}),
        (snomed("230690007"), {"stroke", "clinical_cvd"}),
        (icd("N18.32"), {"ckd_stage_3_plus", "ckd"}),
        (icd("N18.2"), {"ckd"}),
        (icd("E11.9"), {"type2_diabetes", "diabetes"}),
        (icd("I48.91"), {"atrial_fibrillation"}),
        (icd("I11.0"), {"hypertension", "heart_failure"}),
        (icd("O24.410"), {"pregnancy"}),  # gestational diabetes: pregnancy, not diabetes
        (icd("E66.9"), set()),
        (Coding(system="http://example.org", code="E11"), set()),
    ],
)
def test_condition_codes_map_with_their_broader_concepts(
    coding: Coding, expected: set[str]
) -> None:
    assert load_concepts().condition_concepts(coding) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chronic congestive heart failure (disorder)", {"heart_failure"}),
        ("Diabetes mellitus type 2 (disorder)", {"type2_diabetes", "diabetes"}),
        ("Chronic kidney disease stage 4 (disorder)", {"ckd_stage_4_5", "ckd_stage_3_plus", "ckd"}),
        ("Prediabetes", {"prediabetes"}),
        ("Essential hypertension (disorder)", {"hypertension"}),
        ("Diabetes insipidus", set()),
        ("Pulmonary hypertension", set()),
        ("Family history of diabetes mellitus", set()),
        ("Hemorrhagic stroke", set()),
        ("Sprain of ankle", set()),
    ],
)
def test_display_text_maps_to_concepts_by_whole_phrases(text: str, expected: set[str]) -> None:
    assert load_concepts().conditions_from_text(text) == expected


def test_freshness_is_cited_where_a_guideline_gives_one_and_null_otherwise() -> None:
    library = load_concepts()
    assert library.freshness_days("hba1c") == 183
    assert library.freshness_days("heart_rate") is None
    with pytest.raises(ConfigError, match="no observation concept 'glucoze'"):
        library.freshness_days("glucoze")


def test_a_code_in_two_value_sets_is_an_error_naming_file_and_entry() -> None:
    entry = (
        "version: '1'\nobservations:\n  {key}:\n    display: x\n"
        "    codes: [{{system: loinc, code: '1-1'}}]\n    cite: {{source: s, verification: U}}\n"
    )
    with pytest.raises(ConfigError, match=r"b\.yaml: observation 'two'.*already in 'one'"):
        build_library({"a.yaml": entry.format(key="one"), "b.yaml": entry.format(key="two")})


def test_an_invalid_entry_names_the_file_and_the_field() -> None:
    text = "version: '1'\nobservations:\n  x:\n    display: x\n    codes: []\n"
    with pytest.raises(ConfigError, match=r"bad\.yaml: observations\.x\.codes"):
        build_library({"bad.yaml": text})
