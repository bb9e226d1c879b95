"""Replay: alert burden per patient-day, detection delay from the labelled onset; CDISC sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from medlm.monitor.alerts import NaivePolicy
from medlm.monitor.cdisc import sets_from_frame
from medlm.monitor.replay import replay
from medlm.monitor.vitals import VitalSigns

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NORMAL: dict[str, Any] = {
    "respiratory_rate": 16, "spo2": 97, "on_oxygen": False, "systolic_bp": 120,
    "heart_rate": 70, "consciousness": "A", "temperature_c": 37.0,
}  # fmt: skip


def test_burden_and_delay_are_measured_from_the_labelled_onset() -> None:
    sets = [
        VitalSigns(patient_id="d", time=T0 + timedelta(hours=h), **NORMAL | {"heart_rate": hr})
        for h, hr in enumerate([70, 70, 70, 135, 135, 135])
    ] + [VitalSigns(patient_id="s", time=T0 + timedelta(hours=h), **NORMAL) for h in range(6)]
    onsets = {"d": T0 + timedelta(hours=2), "s": None}
    result = replay(sets, {"naive": NaivePolicy()}, onsets=onsets)
    report = result.reports[0]
    assert report.paging_alerts == 3
    assert report.patient_days == round(10 / 24, 2)  # two patients, 5 h each
    assert report.detected == report.deteriorating == 1
    assert report.median_delay_h == 1.0
    assert report.alerts_before_onset == 0 and report.alerts_on_stable == 0


def test_cdisc_rows_become_sets_at_the_protocol_time_points() -> None:
    frame = pd.DataFrame(
        {
            "USUBJID": ["01-1"] * 4,
            "VSTESTCD": ["SYSBP", "PULSE", "SYSBP", "TEMP"],
            "VSSTRESN": [120.0, 70.0, 110.0, 36.8],
            "VSDTC": ["2014-01-02"] * 4,
            "VSTPT": ["AFTER LYING DOWN FOR 5 MINUTES", "AFTER LYING DOWN FOR 5 MINUTES",
                      "AFTER STANDING FOR 3 MINUTES", None],
        }
    )  # fmt: skip
    sets = sorted(sets_from_frame(frame), key=lambda v: v.time)
    assert [(v.time.minute, v.systolic_bp) for v in sets] == [(5, 120.0), (8, 110.0)]
    assert sets[0].patient_id == "cdisc-01-1"
    assert sets[0].temperature_c == 36.8 and sets[0].heart_rate == 70.0
