"""Safety engine case table: each rule with a positive and a negative case."""

from __future__ import annotations

from typing import Any

import pytest

from medlm.treatment import TreatmentRecommender

# (case id, patient spec, expected (kind, severity, drugs) or None for "no issue of this rule")
CASES: list[tuple[str, dict[str, Any], str, tuple[str, str, list[str]] | None]] = [
    (
        "onc_ssri_maoi",
        {"meds": ("Prozac", "phenelzine")},
        "onc-serotonergic-maoi",
        ("interaction", "high", ["fluoxetine", "phenelzine"]),
    ),
    ("onc_ssri_alone", {"meds": ("fluoxetine", "lisinopril")}, "onc-serotonergic-maoi", None),
    (
        "onc_simvastatin_clarithromycin",
        {"meds": ("simvastatin", "Biaxin")},
        "onc-statin-cyp3a4-inhibitor",
        ("interaction", "high", ["clarithromycin", "simvastatin"]),
    ),
    (
        "onc_pravastatin_clarithromycin",
        {"meds": ("pravastatin", "clarithromycin")},
        "onc-statin-cyp3a4-inhibitor",
        None,
    ),
    (
        "onc_tizanidine_cipro",
        {"meds": ("tizanidine", "Cipro")},
        "onc-tizanidine-cyp1a2-inhibitor",
        ("interaction", "high", ["ciprofloxacin", "tizanidine"]),
    ),
    (
        "onc_atazanavir_ppi",
        {"meds": ("atazanavir", "Prilosec")},
        "onc-atazanavir-ppi",
        ("interaction", "high", ["atazanavir", "omeprazole"]),
    ),
    (
        "onc_atazanavir_famotidine",
        {"meds": ("atazanavir", "famotidine")},
        "onc-atazanavir-ppi",
        None,
    ),
    (
        "label_nitrate_pde5",
        {"meds": ("nitroglycerin",), "orders": ("Viagra",)},
        "label-nitrate-pde5",
        ("interaction", "high", ["nitroglycerin", "sildenafil"]),
    ),
    (
        "acei_arb",
        {"meds": ("lisinopril", "losartan")},
        "guideline-acei-arb",
        ("interaction", "high", ["lisinopril", "losartan"]),
    ),
    ("acei_ccb", {"meds": ("lisinopril", "amlodipine")}, "guideline-acei-arb", None),
    (
        "simvastatin_40_amlodipine",
        {"meds": (("simvastatin", 40), "amlodipine")},
        "label-simvastatin-amlodipine",
        ("interaction", "moderate", ["amlodipine", "simvastatin"]),
    ),
    (
        "simvastatin_20_amlodipine",
        {"meds": (("simvastatin", 20), "amlodipine")},
        "label-simvastatin-amlodipine",
        None,
    ),
    (
        "duplicate_statins",
        {"meds": ("atorvastatin", "Crestor")},
        "duplicate-statin",
        ("duplicate", "moderate", ["atorvastatin", "rosuvastatin"]),
    ),
    ("one_statin", {"meds": ("atorvastatin",)}, "duplicate-statin", None),
    (
        "metformin_egfr_25",
        {"meds": ("metformin",), "egfr": 25},
        "metformin-egfr-below-30",
        ("contraindication", "high", ["metformin"]),
    ),
    ("metformin_egfr_30", {"meds": ("metformin",), "egfr": 30}, "metformin-egfr-below-30", None),
    (
        "metformin_start_egfr_40",
        {"orders": ("metformin",), "egfr": 40},
        "metformin-egfr-30-44-initiation",
        ("dose", "moderate", ["metformin"]),
    ),
    (
        "metformin_start_egfr_45",
        {"orders": ("metformin",), "egfr": 45},
        "metformin-egfr-30-44-initiation",
        None,
    ),
    (
        "nsaid_egfr_20",
        {"meds": ("Advil",), "egfr": 20},
        "nsaid-egfr-below-30",
        ("contraindication", "high", ["ibuprofen"]),
    ),
    ("nsaid_egfr_80", {"meds": ("Advil",), "egfr": 80}, "nsaid-egfr-below-30", None),
    (
        "nsaid_ckd_stage_4",
        {"meds": ("naproxen",), "conditions": ("N18.4",)},
        "nsaid-ckd-stage-4-5",
        ("contraindication", "high", ["naproxen"]),
    ),
    (
        "nsaid_ckd_stage_2",
        {"meds": ("naproxen",), "conditions": ("N18.2",)},
        "nsaid-ckd-stage-4-5",
        None,
    ),
    (
        "arb_pregnant",
        {"sex": "female", "meds": ("valsartan",), "conditions": ("Z33.1",)},
        "arb-pregnancy",
        ("pregnancy", "high", ["valsartan"]),
    ),
    (
        "arb_not_pregnant",
        {"sex": "female", "meds": ("valsartan",), "pregnancy_status": "not pregnant"},
        "arb-pregnancy",
        None,
    ),
    (
        "penicillin_allergy_amoxicillin",
        {"allergies": ("penicillin",), "orders": ("amoxicillin",)},
        "penicillin-to-penicillin",
        ("allergy", "high", ["amoxicillin"]),
    ),
    (
        "penicillin_allergy_cephalexin",
        {"allergies": ("penicillin",), "orders": ("cephalexin",)},
        "penicillin-to-cephalosporin",
        ("allergy", "low", ["cephalexin"]),
    ),
    (
        "sulfa_allergy_amoxicillin",
        {"allergies": ("sulfamethoxazole",), "orders": ("amoxicillin",)},
        "penicillin-to-penicillin",
        None,
    ),
    (
        "same_ingredient_allergy",
        {"allergies": ("warfarin",), "orders": ("Coumadin",)},
        "same-ingredient",
        ("allergy", "high", ["warfarin"]),
    ),
    (
        "cyp2c19_intermediate",
        {"meds": ("clopidogrel",), "pgx": {"CYP2C19": "Intermediate Metabolizer"}},
        "cyp2c19-clopidogrel",
        ("pharmacogenomic", "high", ["clopidogrel"]),
    ),
    (
        "cyp2c19_normal",
        {"meds": ("clopidogrel",), "pgx": {"CYP2C19": "Normal Metabolizer"}},
        "cyp2c19-clopidogrel",
        None,
    ),
    (
        "slco1b1_decreased_40mg",
        {"meds": (("simvastatin", 40),), "pgx": {"SLCO1B1": "Decreased Function"}},
        "slco1b1-simvastatin",
        ("pharmacogenomic", "moderate", ["simvastatin"]),
    ),
    (
        "slco1b1_decreased_10mg",
        {"meds": (("simvastatin", 10),), "pgx": {"SLCO1B1": "Decreased Function"}},
        "slco1b1-simvastatin",
        None,
    ),
    (
        "cyp2c9_poor_warfarin",
        {"meds": ("warfarin",), "pgx": {"CYP2C9": "Poor Metabolizer"}},
        "cyp2c9-warfarin",
        ("pharmacogenomic", "moderate", ["warfarin"]),
    ),
    (
        "cyp2c9_normal_warfarin",
        {"meds": ("warfarin",), "pgx": {"CYP2C9": "Normal Metabolizer"}},
        "cyp2c9-warfarin",
        None,
    ),
]


@pytest.mark.parametrize(
    ("spec", "rule_id", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_safety_rule_case_table(
    recommender: TreatmentRecommender,
    make_record: Any,
    spec: dict[str, Any],
    rule_id: str,
    expected: tuple[str, str, list[str]] | None,
) -> None:
    report = recommender.check(make_record(**spec))
    hits = [i for i in report.issues if i.rule_id == rule_id]
    if expected is None:
        assert hits == []
        return
    assert len(hits) == 1
    kind, severity, drugs = expected
    assert (hits[0].kind.value, hits[0].severity.value, hits[0].drugs) == (kind, severity, drugs)
    assert hits[0].citation.document and hits[0].citation.year > 1990


def test_missing_egfr_is_listed_not_assumed(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.check(make_record(meds=("metformin",)))
    assert not [i for i in report.issues if i.kind.value == "contraindication"]
    assert "eGFR not available: metformin kidney limits unknown" in report.missing


def test_unknown_pregnancy_status_is_listed_for_drugs_with_pregnancy_rules(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.check(make_record(sex="female", meds=("lisinopril",)))
    assert not [i for i in report.issues if i.kind.value == "pregnancy"]
    assert any(m.startswith("pregnancy status not recorded: lisinopril") for m in report.missing)


def test_unknown_drug_name_is_reported_unmatched(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.check(make_record(meds=("xyzzy", "lisinopril", "losartan")))
    assert any("'xyzzy' not recognised" in u for u in report.unmatched)
    assert any(i.rule_id == "guideline-acei-arb" for i in report.issues)  # the rest still checked


def test_simvastatin_dose_unknown_with_amlodipine_is_missing_data(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.check(make_record(meds=("simvastatin", "amlodipine")))
    assert not [i for i in report.issues if i.rule_id == "label-simvastatin-amlodipine"]
    assert any("simvastatin dose not recorded" in m for m in report.missing)


def test_issues_are_sorted_most_severe_first(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.check(
        make_record(meds=("atorvastatin", "rosuvastatin", "lisinopril", "losartan"))
    )
    severities = [i.severity.value for i in report.issues]
    assert severities == sorted(severities, key=["high", "moderate", "low"].index)
