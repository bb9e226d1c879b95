"""medlm's consensus CGM metrics side by side with iglu-python, an independent implementation.

iglu-python (a Python port of the R package iglu, Broll et al.) defines, as medlm does: in range
70-180 inclusive at both ends (`(gl >= 70) & (gl <= 180)`), below 70 and 54 strictly (`gl < t`),
above 180 and 250 strictly (`gl > t`), each as a percentage of the non-missing readings; mean of
the readings; GMI = 3.31 + 0.02392 x mean; CV = 100 x sample SD (n - 1) / mean. One definitional
difference: medlm counts readings with the same time once (the first), iglu counts each row, so
traces are compared without repeated times and the difference is pinned by its own test.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from iglu_python import above_percent, below_percent, cv_glu, gmi, in_range_percent, mean_glu

from medlm.datasets import load
from medlm.datasets.glucose import glucose_readings
from medlm.monitor.glucose.metrics import cgm_metrics
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.simulate import SimulationConfig, simulate

T0 = datetime(2026, 3, 1, tzinfo=UTC)
PERCENT_TOLERANCE = 0.1  # percentage points, as the consensus comparison asks


def trace(values: Sequence[float], pid: str = "p1", step_min: int = 5) -> list[GlucoseReading]:
    return [
        GlucoseReading(patient_id=pid, time=T0 + timedelta(minutes=step_min * i), mg_dl=v)
        for i, v in enumerate(values)
    ]


def iglu_metrics(readings: Sequence[GlucoseReading]) -> dict[str, float]:
    frame = pd.DataFrame(
        {
            "id": [r.patient_id for r in readings],
            "time": [r.time.replace(tzinfo=None) for r in readings],
            "gl": [r.mg_dl for r in readings],
        }
    )
    inside = in_range_percent(frame, target_ranges=[[70, 180]]).iloc[0]
    below = below_percent(frame, targets_below=[54, 70]).iloc[0]
    above = above_percent(frame, targets_above=[180, 250]).iloc[0]
    return {
        "time_in_range": float(inside["in_range_70_180"]),
        "time_below_70": float(below["below_70"]),
        "time_below_54": float(below["below_54"]),
        "time_above_180": float(above["above_180"]),
        "time_above_250": float(above["above_250"]),
        "mean_mg_dl": float(mean_glu(frame)["mean"].iloc[0]),
        "gmi": float(gmi(frame)["GMI"].iloc[0]),
        "cv": float(cv_glu(frame)["CV"].iloc[0]),
    }


def assert_same_metrics(readings: Sequence[GlucoseReading]) -> None:
    ours = cgm_metrics(readings).model_dump()
    theirs = iglu_metrics(readings)
    for name, value in theirs.items():
        if name.startswith("time_"):
            assert ours[name] == pytest.approx(value, abs=PERCENT_TOLERANCE), name
        elif np.isnan(value):  # iglu: CV of a single reading is NaN, medlm: None
            assert ours[name] is None, name
        else:
            assert ours[name] == pytest.approx(value, rel=1e-9), name


def test_boundary_values_are_classified_alike() -> None:
    values = [53.9, 54, 54.1, 69.9, 70, 70.1, 179.9, 180, 180.1, 249.9, 250, 250.1, 100, 40, 400]
    assert_same_metrics(trace(values))


def test_fourteen_day_five_minute_trace_with_integer_values_on_every_bound() -> None:
    rng = np.random.default_rng(20)
    values = np.clip(np.round(rng.lognormal(np.log(140), 0.45, size=14 * 288)), 39, 400)
    readings = trace([float(v) for v in values])
    assert {54.0, 70.0, 180.0, 250.0} <= {r.mg_dl for r in readings}
    assert_same_metrics(readings)


def test_trace_with_gaps_is_compared_on_the_readings_present() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(150, 60, size=2016).clip(40, 400)
    readings = [r for i, r in enumerate(trace([float(v) for v in values])) if i % 288 > 40]
    assert_same_metrics(readings)


@pytest.mark.slow
def test_simulated_trace_with_sensor_faults_synthetic() -> None:
    config = SimulationConfig(
        virtual_patient="adult#003", days=2, seed=11, bolus_error_sd=0.3,
        compression_lows_per_day=1, dropouts_per_day=1,
    )  # fmt: skip
    assert_same_metrics(simulate(config).readings)


@pytest.mark.slow
def test_real_cdisc_laboratory_glucose_of_every_subject() -> None:
    readings = glucose_readings(load("cdisc-glucose").frame)
    by_patient: dict[str, list[GlucoseReading]] = {}
    for reading in readings:
        by_patient.setdefault(reading.patient_id, []).append(reading)
    assert len(by_patient) == 254
    for patient_readings in by_patient.values():
        assert_same_metrics(patient_readings)


def test_duplicate_times_count_once_in_medlm_and_twice_in_iglu() -> None:
    readings = trace([50, 100, 150])
    repeated = [*readings, readings[0].model_copy(update={"mg_dl": 60.0})]
    assert cgm_metrics(repeated).time_below_70 == pytest.approx(100 / 3)
    assert iglu_metrics(repeated)["time_below_70"] == pytest.approx(50.0)
