"""Labelled SYNTHETIC deterioration scenarios for replay: sepsis-like, respiratory failure on
SpO2 scale 2, hypotension, and stable controls.

No packaged dataset has multi-parameter ward vital signs with a known deterioration time, so
these trajectories are made up by medlm (seeded, reproducible) to measure detection delay; they
are labelled synthetic in every report and are not clinical evidence. Each patient id starts with
`synthetic-` and `Scenario.onset` is the labelled time deterioration begins (None for controls).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from medlm.monitor.vitals import VitalSigns

ScenarioKind = Literal["sepsis-like", "respiratory-failure-scale2", "hypotension", "stable"]
START = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)

# Per kind: parameter -> (value before onset, value at the end of the scenario). Made-up values.
_TRAJECTORIES: dict[str, dict[str, tuple[float, float]]] = {
    "sepsis-like": {
        "respiratory_rate": (16, 27), "heart_rate": (82, 128), "temperature_c": (37.0, 39.4),
        "systolic_bp": (124, 88), "spo2": (97, 93),
    },
    "respiratory-failure-scale2": {
        "respiratory_rate": (18, 30), "heart_rate": (84, 112), "temperature_c": (36.9, 37.3),
        "systolic_bp": (132, 126), "spo2": (90, 83),
    },
    "hypotension": {
        "respiratory_rate": (15, 20), "heart_rate": (78, 118), "temperature_c": (36.8, 36.6),
        "systolic_bp": (126, 84), "spo2": (97, 96),
    },
    "stable": {
        "respiratory_rate": (15, 15), "heart_rate": (76, 76), "temperature_c": (36.9, 36.9),
        "systolic_bp": (128, 128), "spo2": (97, 97),
    },
}  # fmt: skip
_NOISE = {"respiratory_rate": 1.0, "heart_rate": 4.0, "temperature_c": 0.2, "systolic_bp": 5.0}


class Scenario(BaseModel):
    """One synthetic patient: its kind, labelled onset and vital-sign sets."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    kind: ScenarioKind
    onset: datetime | None
    synthetic: bool = True
    sets: list[VitalSigns]


def _scenario(kind: ScenarioKind, index: int, rng: np.random.Generator) -> Scenario:
    hours, every = 48, 1
    onset_h = None if kind == "stable" else int(rng.integers(12, 24))
    traj = _TRAJECTORIES[kind]
    pid = f"synthetic-{kind}-{index}"
    sets = []
    for h in range(0, hours, every):
        frac = 0.0 if onset_h is None or h < onset_h else min(1.0, (h - onset_h) / 18)
        values = {k: a + (b - a) * frac for k, (a, b) in traj.items()}
        for k, sd in _NOISE.items():
            values[k] += float(rng.normal(0.0, sd))
        late = kind == "sepsis-like" and frac >= 0.8
        oxygen = kind == "respiratory-failure-scale2" and frac >= 0.6
        sets.append(
            VitalSigns(
                patient_id=pid,
                time=START + timedelta(hours=h),
                respiratory_rate=round(values["respiratory_rate"]),
                spo2=round(values["spo2"] + (4 if oxygen else 0)),
                spo2_scale=2 if kind == "respiratory-failure-scale2" else 1,
                on_oxygen=oxygen,
                systolic_bp=round(values["systolic_bp"]),
                heart_rate=round(values["heart_rate"]),
                consciousness="C" if late else "A",
                temperature_c=round(values["temperature_c"], 1),
            )
        )
    onset = None if onset_h is None else START + timedelta(hours=onset_h)
    return Scenario(patient_id=pid, kind=kind, onset=onset, sets=sets)


def make_scenarios(per_kind: int = 5, seed: int = 0) -> list[Scenario]:
    """`per_kind` patients of each deteriorating kind and as many stable controls."""
    rng = np.random.default_rng(seed)
    kinds: tuple[ScenarioKind, ...] = (
        "sepsis-like", "respiratory-failure-scale2", "hypotension", "stable",
    )  # fmt: skip
    return [_scenario(kind, i, rng) for kind in kinds for i in range(per_kind)]
