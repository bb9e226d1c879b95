"""The CDISC pilot vital signs (`medlm.datasets`, "cdisc-vitals") as monitor input sets.

The source gives a visit date and a protocol time point, not a clock time: medlm places each
visit at 08:00 UTC and the time points at +5 min (supine 5 min), +6 min (standing 1 min) and
+8 min (standing 3 min); rows without a time point (e.g. temperature) are placed with the supine
set. Only systolic BP, pulse and temperature are measured, so every NEWS2 is partial.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from medlm.monitor.vitals import VitalSigns

_OFFSETS_MIN = {
    "AFTER LYING DOWN FOR 5 MINUTES": 5,
    "AFTER STANDING FOR 1 MINUTE": 6,
    "AFTER STANDING FOR 3 MINUTES": 8,
}
_FIELDS = {"SYSBP": "systolic_bp", "PULSE": "heart_rate", "TEMP": "temperature_c"}


def sets_from_frame(frame: Any) -> list[VitalSigns]:
    """Group the SDTM VS rows into one set per subject, visit date and time point."""
    rows = frame[frame["VSTESTCD"].isin(list(_FIELDS)) & frame["VSSTRESN"].notna()]
    sets: dict[tuple[str, datetime], dict[str, float]] = {}
    for row in rows.itertuples(index=False):
        tpt = row.VSTPT if isinstance(row.VSTPT, str) else "AFTER LYING DOWN FOR 5 MINUTES"
        day = datetime.fromisoformat(str(row.VSDTC)[:10]).replace(hour=8, tzinfo=UTC)
        key = (f"cdisc-{row.USUBJID}", day + timedelta(minutes=_OFFSETS_MIN.get(tpt, 5)))
        sets.setdefault(key, {})[_FIELDS[row.VSTESTCD]] = float(row.VSSTRESN)
    return [VitalSigns(patient_id=pid, time=t, **values) for (pid, t), values in sets.items()]


def load_cdisc_sets(limit: int | None = None) -> tuple[list[VitalSigns], str]:
    """The pilot's vital-sign sets and a one-line provenance note."""
    from medlm.datasets import load

    dataset = load("cdisc-vitals", limit=limit)
    prov = dataset.provenance
    return sets_from_frame(dataset.frame), f"{prov.name}: {prov.rows} rows ({prov.source_package})"
