"""Demo patients: real dataset rows plus clearly labelled SYNTHETIC medications, labs and genotypes.

The demographics, blood pressures and dataset flags come from real rows of the packaged datasets
(Framingham, heart failure clinical records, Pima, UCI heart disease). Everything added on top
(medications, allergies, eGFR, pregnancy, pharmacogenomic results, diagnoses written out from
the rows' yes/no flags) is synthetic and carries ids starting with `synthetic-`.
"""

from __future__ import annotations

from collections.abc import Callable

from medlm.datasets import load
from medlm.records import (
    AllergyIntolerance,
    CodeSystem,
    Coding,
    Condition,
    Dose,
    MedicationRequest,
    MedicationStatement,
    MedicationStatus,
    Observation,
    PatientRecord,
    PharmacogenomicResult,
)


def _row(dataset: str, index: int) -> PatientRecord:
    ds = load(dataset)
    assert ds.converter is not None
    return ds.converter(ds.frame.iloc[[index]])[0]


def _cond(pid: str, code: str, display: str) -> Condition:
    return Condition(
        id=f"synthetic-{code}",
        patient_id=pid,
        code=Coding(system=CodeSystem.ICD10CM, code=code, display=display),
    )


def _med(pid: str, name: str, mg: float | None = None) -> MedicationStatement:
    return MedicationStatement(
        id=f"synthetic-{name.split()[0].lower()}",
        patient_id=pid,
        name=name,
        dose=Dose(value=mg, unit="mg") if mg else None,
    )


def _order(pid: str, name: str, mg: float | None = None) -> MedicationRequest:
    return MedicationRequest(
        id=f"synthetic-order-{name.lower()}",
        patient_id=pid,
        name=name,
        dose=Dose(value=mg, unit="mg") if mg else None,
        status=MedicationStatus.DRAFT,
    )


def _egfr(pid: str, value: float) -> Observation:
    return Observation(
        id="synthetic-egfr",
        patient_id=pid,
        value=value,
        unit="mL/min/{1.73_m2}",
        code=Coding(system=CodeSystem.LOINC, code="62238-1", display="eGFR"),
    )


def diabetic_ckd() -> PatientRecord:
    """Framingham row 37 (real: diabetic, SBP >= 140) + synthetic eGFR 25 and drug list."""
    rec = _row("framingham", 37)
    pid = rec.patient.id
    return rec.model_copy(
        update={
            "observations": [*rec.observations, _egfr(pid, 25)],
            "conditions": [
                _cond(pid, "E11.9", "Type 2 diabetes (from the row's diabetes flag)"),
                _cond(pid, "I10", "Hypertension (from the row's prevalentHyp flag)"),
            ],
            "medication_statements": [
                _med(pid, "Glucophage 1000 mg", 1000),
                _med(pid, "lisinopril", 20),
                _med(pid, "Cozaar"),
                _med(pid, "ibuprofin", 400),
            ],
        }
    )


def cyp2c19_poor() -> PatientRecord:
    """Heart-failure row 4 (real: diabetic) + synthetic genotypes, clopidogrel order, statin."""
    rec = _row("heart-failure", 4)
    pid = rec.patient.id
    pgx = [
        PharmacogenomicResult(
            id="synthetic-cyp2c19",
            patient_id=pid,
            gene="CYP2C19",
            diplotype="*2/*2",
            phenotype="Poor Metabolizer",
        ),
        PharmacogenomicResult(
            id="synthetic-slco1b1",
            patient_id=pid,
            gene="SLCO1B1",
            diplotype="*5/*5",
            phenotype="Poor Function",
        ),
    ]
    return rec.model_copy(
        update={
            "observations": [*rec.observations, _egfr(pid, 55)],
            "conditions": [
                _cond(pid, "I50.9", "Heart failure (the dataset's inclusion criterion)"),
                _cond(pid, "E11.9", "Type 2 diabetes (from the row's diabetes flag)"),
                _cond(pid, "I25.10", "Coronary artery disease (synthetic)"),
            ],
            "medication_statements": [_med(pid, "Zocor 40 mg", 40), _med(pid, "omeprazole", 20)],
            "medication_requests": [_order(pid, "Plavix", 75)],
            "pharmacogenomics": pgx,
        }
    )


def pregnant_on_lisinopril() -> PatientRecord:
    """Pima row 1 (real: woman aged 31, diastolic BP) + synthetic pregnancy and drugs."""
    rec = _row("pima", 1)
    pid = rec.patient.id
    return rec.model_copy(
        update={
            "conditions": [_cond(pid, "Z33.1", "Pregnant state (synthetic)")],
            "medication_statements": [_med(pid, "Zestril 10 mg", 10), _med(pid, "Coumadin", 5)],
        }
    )


def nitrate_and_allergy() -> PatientRecord:
    """UCI heart row 0 (real: man aged 63, SBP 145) + synthetic nitrate, PDE5 order, allergy."""
    rec = _row("uci-heart", 0)
    pid = rec.patient.id
    allergy = AllergyIntolerance(id="synthetic-allergy", patient_id=pid, substance="penicillin")
    return rec.model_copy(
        update={
            "medication_statements": [
                _med(pid, "nitroglycerin"),
                _med(pid, "atorvastatin 40 mg", 40),
            ],
            "medication_requests": [_order(pid, "Viagra", 50), _order(pid, "amoxicilin", 500)],
            "allergies": [allergy],
        }
    )


DEMO_PATIENTS: dict[str, Callable[[], PatientRecord]] = {
    "diabetes, eGFR 25, ACE inhibitor + ARB, NSAID": diabetic_ckd,
    "CYP2C19 poor metabolizer with a clopidogrel order": cyp2c19_poor,
    "pregnant, on lisinopril and warfarin": pregnant_on_lisinopril,
    "nitrate with a sildenafil order; penicillin allergy": nitrate_and_allergy,
}
