"""The pipeline end to end: entities with offsets, codes, context, medications and measurements."""

from __future__ import annotations

import pytest

from medlm.errors import InputError
from medlm.records import ClinicalNote, CodeSystem
from medlm.text import MedicalTextAnalyzer

NOTE = (
    "HISTORY OF PRESENT ILLNESS: 62-year-old man with HTN presents with SOB. No fever.\n"
    "Past Medical History: COPD.\n"
    "Family History: diabetes in his father.\n"
    "Medications: metformin 500 mg PO BID for 3 months, lisinopril 10 mg daily.\n"
    "Vitals: BP 150/95, HR 88, SpO2 94%. HbA1c 8.2%.\n"
)


def test_acceptance_sentence_negated_affirmed_and_family(analyzer: MedicalTextAnalyzer) -> None:
    text = (
        "The patient denies chest pain but reports shortness of breath. Mother had breast cancer."
    )
    result = analyzer.analyze(text, targets=["chest pain"])
    (pain,) = result.find("chest pain")
    (sob,) = result.find("shortness of breath")
    (cancer,) = result.find("breast cancer")
    assert pain.assertion.negated and pain.label == "target"
    assert sob.assertion.affirmed_for_patient and sob.label == "problem"
    assert cancer.assertion.family and cancer.assertion.experiencer == "family"


def test_entity_offsets_cover_their_text(analyzer: MedicalTextAnalyzer) -> None:
    result = analyzer.analyze(NOTE)
    assert result.entities
    for entity in result.entities:
        assert NOTE[entity.start : entity.end] == entity.text
        assert entity.span.label == entity.label


def test_medication_carries_dose_route_frequency_and_duration(
    analyzer: MedicalTextAnalyzer,
) -> None:
    result = analyzer.analyze(NOTE)
    (metformin,) = result.find("metformin")
    details = metformin.medication
    assert details is not None
    assert (details.dose, details.unit, details.route) == (500.0, "mg", "oral")
    assert (details.frequency, details.duration) == ("twice daily", "3 months")
    (lisinopril,) = result.find("lisinopril")
    assert lisinopril.medication is not None and lisinopril.medication.frequency == "once daily"
    assert lisinopril.medication.route is None


def test_drug_codes_are_drugbank_and_checked_mesh(analyzer: MedicalTextAnalyzer) -> None:
    (metformin,) = analyzer.analyze("Started metformin.").find("metformin")
    drugbank = metformin.code_in(CodeSystem.DRUGBANK.value)
    mesh = metformin.code_in(CodeSystem.MESH.value)
    assert drugbank is not None and drugbank.coding.code == "DB00331"
    assert mesh is not None and mesh.coding.code == "D008687" and mesh.method == "exact"


def test_brand_name_is_a_synonym_of_its_ingredient(analyzer: MedicalTextAnalyzer) -> None:
    (plavix,) = analyzer.analyze("On Plavix since the stent.").find("plavix")
    assert plavix.preferred_name == "Clopidogrel"
    assert all(c.method == "synonym" and c.score < 1 for c in plavix.codes)


def test_measurements_have_value_unit_and_loinc(analyzer: MedicalTextAnalyzer) -> None:
    result = analyzer.analyze(NOTE)
    tests = {e.text: e for e in result.by_label("test")}
    bp = tests["BP 150/95"].measurement
    assert bp is not None and (bp.value, bp.value2, bp.unit) == (150.0, 95.0, "mm[Hg]")
    assert bp.unit_inferred
    a1c = tests["HbA1c 8.2%"]
    assert a1c.measurement is not None and a1c.measurement.unit == "%"
    assert not a1c.measurement.unit_inferred
    code = a1c.code_in(CodeSystem.LOINC.value)
    assert code is not None and code.coding.code == "4548-4"


def test_age_is_read_in_years(analyzer: MedicalTextAnalyzer) -> None:
    (age,) = analyzer.analyze(NOTE).by_label("age")
    assert age.text == "62-year-old" and age.measurement is not None
    assert (age.measurement.value, age.measurement.unit) == (62.0, "a")


def test_unambiguous_abbreviation_is_expanded_and_coded(analyzer: MedicalTextAnalyzer) -> None:
    (htn,) = analyzer.analyze(NOTE).find("HTN")
    assert htn.expanded_from == "HTN" and htn.preferred_name == "Hypertension"
    icd = htn.code_in(CodeSystem.ICD10CM.value)
    assert icd is not None and icd.coding.code == "I10" and icd.method == "synonym"


def test_ambiguous_abbreviation_is_not_expanded(analyzer: MedicalTextAnalyzer) -> None:
    assert analyzer.analyze("History of MI and PE.").entities == ()


def test_lower_case_acronym_in_prose_is_not_a_match(analyzer: MedicalTextAnalyzer) -> None:
    assert analyzer.analyze("We took caps off the tubes.").entities == ()


def test_sections_set_family_and_historical(analyzer: MedicalTextAnalyzer) -> None:
    result = analyzer.analyze(NOTE)
    (copd,) = result.find("COPD")
    (diabetes,) = result.find("diabetes")
    assert copd.section == "past_medical_history" and copd.assertion.historical
    assert diabetes.assertion.family


def test_clinical_note_keeps_its_id_and_patient(analyzer: MedicalTextAnalyzer) -> None:
    note = ClinicalNote(id="n1", patient_id="p1", text="Denies fever.")
    result = analyzer.analyze(note)
    assert (result.id, result.patient_id) == ("n1", "p1")


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_an_input_error(targets_only: MedicalTextAnalyzer, text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        targets_only.analyze(text)


def test_oversized_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="more than the limit of 10"):
        MedicalTextAnalyzer(max_chars=10, packaged=False).analyze("x" * 11)


@pytest.mark.parametrize("micro", ["\u00b5g", "\u03bcg"])
def test_micro_sign_and_greek_mu_doses_are_both_micrograms(
    analyzer: MedicalTextAnalyzer, micro: str
) -> None:
    (drug,) = analyzer.analyze(f"Levothyroxine 50 {micro} daily.").by_label("medication")
    assert drug.medication is not None and drug.medication.unit == "ug"
