"""Treatment knowledge files: every rule cited, references resolve, and pinned values.

Values the clinical reference marks [S] or [U] (or does not contain) are pinned here so that any
change to them is deliberate; see the `verification` field of each rule.
"""

from __future__ import annotations

import re

import pytest

from medlm.knowledge.treatment import TreatmentKnowledge, load_treatment_knowledge, load_trial


@pytest.fixture(scope="module")
def knowledge() -> TreatmentKnowledge:
    return load_treatment_knowledge()


def test_every_rule_has_document_year_and_section(knowledge: TreatmentKnowledge) -> None:
    rules = [
        *knowledge.interactions,
        *knowledge.renal,
        *knowledge.disease,
        *knowledge.pregnancy,
        *knowledge.allergy,
        *knowledge.pharmacogenomics,
        *knowledge.classes.values(),
    ]
    assert len(rules) > 60
    for rule in rules:
        assert rule.cite.document and rule.cite.section and 1990 < rule.cite.year <= 2026


def test_all_fifteen_onc_high_priority_pairs_are_encoded(knowledge: TreatmentKnowledge) -> None:
    onc = [r for r in knowledge.interactions if r.id.startswith("onc-")]
    assert len(onc) == 15
    assert all(r.severity == "high" for r in onc)


def test_class_members_are_names_the_drug_dictionary_resolves_to_themselves(
    knowledge: TreatmentKnowledge,
) -> None:
    finder = pytest.importorskip("drug_named_entity_recognition.drugs_finder")
    for cls in knowledge.classes.values():
        for member in cls.members:
            canon = finder.drug_variant_to_canonical.get(member)
            assert canon, f"{cls.id}: {member} is not in the drug dictionary"
            name = finder.drug_canonical_to_data.get(canon[0], {}).get("name", canon[0])
            assert name.lower() == member, f"{cls.id}: {member} resolves to {name}"


def test_cpic_clopidogrel_poor_and_intermediate_avoid_with_alternatives(
    knowledge: TreatmentKnowledge,
) -> None:
    rule = next(r for r in knowledge.pharmacogenomics if r.id == "cyp2c19-clopidogrel")
    assert rule.cite.verification == "V" and rule.cite.year == 2022
    for phenotype in ("poor", "likely poor", "intermediate", "likely intermediate"):
        advice = rule.phenotypes[phenotype]
        assert (advice.action, advice.severity) == ("avoid", "high")
        assert advice.alternatives == ["prasugrel", "ticagrelor"]
    for phenotype in ("normal", "rapid", "ultrarapid"):
        assert rule.phenotypes[phenotype].action == "none"


def test_pinned_slco1b1_simvastatin_dose_limit(knowledge: TreatmentKnowledge) -> None:
    rule = next(r for r in knowledge.pharmacogenomics if r.id == "slco1b1-simvastatin")
    assert rule.phenotypes["decreased function"].max_daily_dose_mg_below == 20
    assert rule.phenotypes["poor function"].action == "avoid"


def test_pinned_metformin_and_nsaid_egfr_limits(knowledge: TreatmentKnowledge) -> None:
    limits = {r.id: (r.egfr_from, r.egfr_below) for r in knowledge.renal}
    assert limits["metformin-egfr-below-30"] == (None, 30)
    assert limits["metformin-egfr-30-44-initiation"] == (30, 45)
    assert limits["sglt2-egfr-below-20-initiation"] == (None, 20)
    assert limits["nsaid-egfr-below-30"] == (None, 30)  # KDIGO 2012, [U]


def test_pinned_ada_and_acc_aha_numbers(knowledge: TreatmentKnowledge) -> None:
    g = knowledge.guidelines
    target = g["diabetes"]["hba1c_target"]
    assert (target["general_below_percent"], target["relaxed_below_percent"]) == (7.0, 8.0)
    assert target["relaxed_from_age"] == 75
    h = g["hypertension"]
    assert [c.get("systolic_below") for c in h["categories"]] == [120, 130, 140, None]
    assert [c.get("diastolic_below") for c in h["categories"]] == [80, 80, 90, None]
    assert h["stage1_drug_if_ascvd_risk_at_least_percent"] == 10
    assert h["albuminuria_acr_at_least_mg_per_g"] == 300
    assert (h["target"]["systolic_below"], h["target"]["diastolic_below"]) == (130, 80)


def test_pinned_acc_aha_2018_statin_intensity_table(knowledge: TreatmentKnowledge) -> None:
    table = knowledge.guidelines["lipids"]["intensity_table"]
    assert table["high"] == {"atorvastatin": [40, 80], "rosuvastatin": [20, 40]}
    assert table["moderate"]["simvastatin"] == [20, 40]
    assert table["low"]["simvastatin"] == [10, 10]
    groups = knowledge.guidelines["lipids"]["benefit_groups"]
    assert [g["intensity"] for g in groups] == ["high", "high", "moderate", "moderate"]
    assert groups[3]["ascvd_risk_at_least_percent"] == 7.5


def test_pinned_actg175_randomization_is_equal_allocation() -> None:
    trial = load_trial("actg175")
    assert trial.randomization_probabilities == {0: 0.25, 1: 0.25, 2: 0.25, 3: 0.25}
    assert trial.cite.verification == "U"
    assert trial.outcome == "cd420" and "arms" not in trial.covariates
    assert not {"cd420", "cd496", "cd820", "offtrt", "treat"} & set(trial.covariates)


def test_unverified_rules_are_marked_in_their_citation_text(
    knowledge: TreatmentKnowledge,
) -> None:
    rule = next(r for r in knowledge.renal if r.id == "nsaid-egfr-below-30")
    assert str(rule.cite).endswith("[unverified]")


def test_interaction_table_has_at_least_150_fully_described_rules(
    knowledge: TreatmentKnowledge,
) -> None:
    assert len(knowledge.interactions) >= 150
    for rule in knowledge.interactions:
        assert rule.severity in ("high", "moderate", "low"), rule.id
        assert rule.effect and rule.mechanism and rule.management, rule.id
        assert rule.cite.section and 1990 < rule.cite.year <= 2026, rule.id
        assert rule.cite.verification in ("V", "S", "U"), rule.id
        assert rule.a and rule.b, rule.id


def test_interaction_table_covers_the_required_families(knowledge: TreatmentKnowledge) -> None:
    def fires(x: str, y: str) -> bool:
        return any(
            (x in knowledge.expand(r.a) and y in knowledge.expand(r.b))
            or (y in knowledge.expand(r.a) and x in knowledge.expand(r.b))
            for r in knowledge.interactions
        )

    required = [
        ("warfarin", "clopidogrel"),
        ("apixaban", "ticagrelor"),
        ("dabigatran", "prasugrel"),
        ("rivaroxaban", "naproxen"),
        ("simvastatin", "diltiazem"),
        ("lovastatin", "verapamil"),
        ("digoxin", "amiodarone"),
        ("apixaban", "ketoconazole"),
        ("rivaroxaban", "rifampin"),
        ("sotalol", "dofetilide"),
        ("citalopram", "azithromycin"),
        ("sertraline", "tramadol"),
        ("lisinopril", "amiloride"),
        ("losartan", "potassium chloride"),
        ("verapamil", "metoprolol"),
        ("clopidogrel", "omeprazole"),
        ("tadalafil", "nitroglycerin"),
        ("methotrexate", "trimethoprim"),
        ("tizanidine", "ciprofloxacin"),
        ("tizanidine", "fluvoxamine"),
    ]
    assert [pair for pair in required if not fires(*pair)] == []


def test_dose_limited_statin_rules_carry_the_label_limits(knowledge: TreatmentKnowledge) -> None:
    limits = {r.id: r.a_dose_above_mg for r in knowledge.interactions if r.a_dose_above_mg}
    assert limits["label-simvastatin-verapamil"] == 10
    assert limits["label-simvastatin-diltiazem"] == 10
    assert limits["label-simvastatin-dronedarone"] == 10
    assert limits["label-simvastatin-amiodarone"] == 20
    assert limits["label-simvastatin-amlodipine"] == 20
    assert limits["label-simvastatin-ranolazine"] == 20
    assert limits["label-lovastatin-verapamil"] == 20
    assert limits["label-lovastatin-amiodarone"] == 40


def test_interaction_ingredients_are_names_the_drug_dictionary_resolves_to_themselves(
    knowledge: TreatmentKnowledge,
) -> None:
    finder = pytest.importorskip("drug_named_entity_recognition.drugs_finder")
    names = {n for r in knowledge.interactions for n in r.a + r.b if not n.startswith("@")}
    for name in sorted(names):
        canon = finder.drug_variant_to_canonical.get(name)
        assert canon, f"{name} is not in the drug dictionary"
        resolved = finder.drug_canonical_to_data.get(canon[0], {}).get("name", canon[0])
        assert resolved.lower() == name, f"{name} resolves to {resolved}"


def test_atc_groups_of_drug_classes_are_well_formed(knowledge: TreatmentKnowledge) -> None:
    pattern = re.compile(r"^[A-Z]\d{2}([A-Z]{1,2}(\d{2})?)?$")
    with_atc = [c for c in knowledge.classes.values() if c.atc]
    assert len(with_atc) >= 30
    for cls in with_atc:
        assert cls.atc is not None
        codes = [part.strip() for part in re.split(r"[,-]", cls.atc)]
        assert all(pattern.match(code) for code in codes), (cls.id, cls.atc)
    assert knowledge.classes["statin"].atc == "C10AA"
    assert knowledge.classes["non_dihydropyridine_ccb"].atc == "C08D"
