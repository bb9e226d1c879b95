"""ACTG 175 HIV trial (lifelines `datasets/ACTG175.csv`): loader and record conversion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medlm.datasets.convert import ConceptColumn, PatientTableMap, table_to_records
from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, Provenance, outcome_balance, require
from medlm.errors import InputError
from medlm.records import MedicationStatement, MedicationStatus, PatientRecord, Sex

# Randomized arms of ACTG 175 (Hammer et al., N Engl J Med 1996;335:1081-90), coded 0-3.
ARM_DRUGS: dict[int, tuple[str, ...]] = {
    0: ("zidovudine",),
    1: ("zidovudine", "didanosine"),
    2: ("zidovudine", "zalcitabine"),
    3: ("didanosine",),
}

# Follow-up and outcome columns stay in the frame only (they are measured after randomization).
FOLLOW_UP_COLUMNS = ("cd420", "cd496", "r", "cd820", "offtrt", "cens", "days")


def _sex(value: Any) -> Sex:
    return {0: Sex.FEMALE, 1: Sex.MALE}.get(int(value), Sex.UNKNOWN)


def _arm(patient_id: str, arm: Any) -> list[MedicationStatement]:
    drugs = ARM_DRUGS.get(int(arm))
    if drugs is None:
        raise InputError(f"patient {patient_id}: column 'arms' has unknown arm {arm!r}")
    return [
        MedicationStatement(
            id=f"{patient_id}-arm-{drug}",
            patient_id=patient_id,
            name=drug,
            status=MedicationStatus.UNKNOWN,
        )
        for drug in drugs
    ]


TABLE_MAP = PatientTableMap(
    id_prefix="actg175",
    id_column="pidnum",
    age_column="age",
    sex=_sex,
    sex_column="gender",
    medications=_arm,
    medication_column="arms",
    observations=(
        ConceptColumn("wtkg", "body-weight"),
        ConceptColumn("karnof", "karnofsky-score"),
        ConceptColumn("cd40", "cd4-count"),
        ConceptColumn("cd80", "cd8-count"),
        ConceptColumn("hemo", "haemophilia"),
        ConceptColumn("homo", "homosexual-activity"),
        ConceptColumn("drugs", "iv-drug-use"),
        ConceptColumn("oprior", "prior-non-zdv-antiretroviral"),
        ConceptColumn("z30", "zdv-in-prior-30-days"),
        ConceptColumn("preanti", "prior-antiretroviral-days"),
        ConceptColumn("str2", "antiretroviral-experienced"),
        ConceptColumn("symptom", "symptomatic-hiv"),
        ConceptColumn("race", "non-white-race"),
    ),
)


def to_records(frame: Any) -> list[PatientRecord]:
    """Baseline covariates and the randomized arm as records; follow-up stays out."""
    return table_to_records(TABLE_MAP, frame)


def csv_path() -> Path:
    """Where lifelines keeps ACTG175.csv (lifelines has no loader for it)."""
    lifelines = require("lifelines", "lifelines", "the actg175 dataset")
    path = Path(str(lifelines.__file__)).parent / "datasets" / "ACTG175.csv"
    if not path.is_file():
        raise InputError(f"lifelines is installed but has no {path.name} at {path}")
    return path


def load(info: DatasetInfo, limit: int | None = None) -> Dataset:
    """Load the 2,139 ACTG 175 participants (the CSV's unnamed row-number column is dropped)."""
    import pandas as pd

    frame = pd.read_csv(csv_path(), nrows=limit)
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])
    target = info.target or "cens"
    provenance = Provenance(
        **info.model_dump(),
        rows=len(frame),
        columns=tuple(frame.columns),
        outcome_balance=outcome_balance(frame, target),
        counts={f"arm_{int(k)}": int(v) for k, v in frame["arms"].value_counts().items()},
        limit=limit,
    )
    return Dataset(
        name=info.name, frame=frame, provenance=provenance, target=target, converter=to_records
    )
