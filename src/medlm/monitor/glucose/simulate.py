"""SYNTHETIC CGM traces: simglucose's UVA/Padova type-1 patients with injected sensor faults.

Everything this module returns is synthetic and says so (`SimulatedTrace.label`). It drives
simglucose (offline: the patient, sensor and pump parameters ship inside the package; nothing is
fetched) minute by minute: simglucose's seeded random meal scenario, its basal-bolus controller's
doses (basal from the patient's steady-state insulin, a bolus per announced meal from the
patient's carbohydrate ratio and correction factor), optionally with a seeded multiplicative
dosing error, and its CGM sensor noise model, sampled every 5 minutes ("GuardianRT").

The true blood glucose is the model's plasma glucose (Gp / Vg), per minute; the CGM reads the
subcutaneous compartment plus sensor noise, so it lags the blood as a real sensor does. Level-2
events are runs of true blood glucose below the level-2 bound lasting at least the CGM episode
duration (both from knowledge/glucose/thresholds.yaml), at one-minute resolution.

Injected faults (simulation choices, not clinical values): compression lows start at night
(00:00-06:00), fall sharply to 35-60% of the sensor value within 10 minutes, stay there, and
recover, 20-60 minutes in all; dropouts remove every reading for 10-90 minutes.
"""

from __future__ import annotations

import importlib
import math
import zlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from medlm.datasets.provenance import require
from medlm.errors import InputError
from medlm.knowledge.glucose import load_glucose_thresholds
from medlm.monitor.glucose.readings import GlucoseReading

SENSOR_MINUTES = 5
FaultKind = Literal["compression low", "dropout"]
EventKind = Literal["level 2 hypoglycaemia", "below threshold", "compression low", "dropout"]


class SimulationConfig(BaseModel):
    """One simulated patient-period; every random draw follows `seed`."""

    model_config = ConfigDict(frozen=True)

    virtual_patient: str = Field(
        default="adolescent#001", description="simglucose patient: adolescent/adult/child#001-010"
    )
    days: float = Field(default=3.0, gt=0, le=28)
    seed: int = Field(default=0, ge=0)
    start: AwareDatetime = datetime(2026, 1, 1, tzinfo=UTC)
    bolus_error_sd: float = Field(
        default=0.0, ge=0, le=1, description="SD of the log of a per-meal bolus dosing error."
    )
    compression_lows_per_day: float = Field(default=0.5, ge=0, le=4)
    dropouts_per_day: float = Field(default=0.5, ge=0, le=4)


class TrueGlucose(BaseModel):
    """The simulated patient's plasma glucose at one minute."""

    time: AwareDatetime
    mg_dl: float


class TraceEvent(BaseModel):
    """A labelled interval [start, end) of a simulated trace."""

    kind: EventKind
    start: AwareDatetime
    end: AwareDatetime
    nadir_mg_dl: float | None = None


class SimulatedTrace(BaseModel):
    """One SYNTHETIC patient: CGM readings, the true glucose, true events and injected faults."""

    label: Literal["SYNTHETIC"] = "SYNTHETIC"
    patient_id: str
    config: SimulationConfig
    readings: list[GlucoseReading]
    true_glucose: list[TrueGlucose]
    events: list[TraceEvent]
    faults: list[TraceEvent]


def simulate(config: SimulationConfig | None = None) -> SimulatedTrace:
    """Simulate one virtual patient for `config.days` days (SYNTHETIC data)."""
    config = config or SimulationConfig()
    true_bg, cgm, sensor_floor = _run_simglucose(config)
    rng = _rng(config.seed, config.virtual_patient, "faults")
    faults = _draw_faults(config, rng, len(cgm))
    values = _apply_faults(cgm, faults, rng, sensor_floor)
    pid = f"synthetic-{config.virtual_patient}-seed{config.seed}"
    origin = f"SYNTHETIC simglucose {config.virtual_patient} seed {config.seed}"
    step = timedelta(minutes=SENSOR_MINUTES)
    readings = [
        GlucoseReading(
            patient_id=pid, time=config.start + i * step, mg_dl=v, source="cgm", origin=origin
        )
        for i, v in enumerate(values)
        if v is not None
    ]
    truth = [
        TrueGlucose(time=config.start + timedelta(minutes=m), mg_dl=v)
        for m, v in enumerate(true_bg)
    ]
    t = load_glucose_thresholds()
    level2 = true_runs(
        truth,
        below=t.metrics.below_2,
        min_minutes=t.cgm_episode_minutes,
        kind="level 2 hypoglycaemia",
    )
    return SimulatedTrace(
        patient_id=pid,
        config=config,
        readings=readings,
        true_glucose=truth,
        events=level2,
        faults=[_fault_event(config.start, kind, a, b) for kind, a, b in faults],
    )


def true_runs(
    truth: list[TrueGlucose],
    *,
    below: float,
    min_minutes: float,
    kind: EventKind = "below threshold",
) -> list[TraceEvent]:
    """Runs of true glucose strictly below `below` lasting at least `min_minutes` (per-minute
    samples: a run of n minutes spans n minutes), labelled `kind`."""
    events: list[TraceEvent] = []
    run: list[TrueGlucose] = []
    for point in [*truth, None]:
        if point is not None and point.mg_dl < below:
            run.append(point)
            continue
        if run and len(run) >= min_minutes:
            events.append(
                TraceEvent(
                    kind=kind,
                    start=run[0].time,
                    end=run[-1].time + timedelta(minutes=1),
                    nadir_mg_dl=min(p.mg_dl for p in run),
                )
            )
        run = []
    return events


def _rng(seed: int, *streams: str) -> Any:
    """A numpy generator for one purpose of one patient, fixed by the seed and the names."""
    numpy = importlib.import_module("numpy")
    return numpy.random.default_rng([seed, *(zlib.crc32(s.encode()) for s in streams)])


def _simglucose() -> SimpleNamespace:
    """simglucose's modules, imported on first use (the package imports gym and pkg_resources)."""
    require("simglucose", "simglucose", "the glucose simulator")
    mods = {
        "patient": "simglucose.patient.t1dpatient",
        "sensor": "simglucose.sensor.cgm",
        "pump": "simglucose.actuator.pump",
        "scenario": "simglucose.simulation.scenario_gen",
        "controller": "simglucose.controller.basal_bolus_ctrller",
    }
    return SimpleNamespace(**{k: importlib.import_module(v) for k, v in mods.items()})


def _patient_params(sg: SimpleNamespace, name: str) -> tuple[SimpleNamespace, Any]:
    """The virtual patient's parameters as plain attributes (simglucose reads them from a pandas
    row inside its ODE right-hand side; attribute access on a row is ~100x slower)."""
    pandas = importlib.import_module("pandas")
    table = pandas.read_csv(sg.patient.PATIENT_PARA_FILE)
    rows = table.loc[table.Name == name]
    if rows.empty:
        known = ", ".join(table.Name)
        raise InputError(f"unknown simglucose virtual patient {name!r}; known: {known}")
    row = rows.iloc[0]
    init_state = row.iloc[2:15].to_numpy(dtype=float)
    return SimpleNamespace(**row.to_dict()), init_state


def _run_simglucose(config: SimulationConfig) -> tuple[list[float], list[float], float]:
    """Per-minute plasma glucose, the 5-minute CGM values of one simulated patient, and the
    sensor's lowest reportable value."""
    sg = _simglucose()
    params, init_state = _patient_params(sg, config.virtual_patient)
    patient = sg.patient.T1DPatient(params, init_state=init_state)
    sensor = sg.sensor.CGMSensor.withName("GuardianRT", seed=config.seed)
    pump_row = sg.pump.InsulinPump.withName("Insulet")._params
    pump = sg.pump.InsulinPump(pump_row.to_dict())
    start = datetime(2000, 1, 1)  # the scenario plans each day from naive midnight
    scenario = sg.scenario.RandomScenario(start_time=start, seed=config.seed)
    controller = sg.controller.BBController()
    rng = _rng(config.seed, config.virtual_patient, "dosing")
    minutes = round(config.days * 24 * 60)
    true_bg = [patient.state[3] / params.Vg]
    cgm = [float(sensor.measure(patient))]
    basal = pump.basal(controller._bb_policy(config.virtual_patient, 0, cgm[0], 1).basal)
    for minute in range(minutes):
        meal = scenario.get_action(start + timedelta(minutes=minute)).meal
        bolus = 0.0
        if meal > 0:
            dose = controller._bb_policy(config.virtual_patient, meal, cgm[-1], 1).bolus
            bolus = pump.bolus(dose * math.exp(rng.normal(0.0, config.bolus_error_sd)))
        patient.step(sg.patient.Action(CHO=meal, insulin=basal + bolus))
        true_bg.append(float(patient.state[3] / params.Vg))
        if (minute + 1) % SENSOR_MINUTES == 0:
            cgm.append(float(sensor.measure(patient)))
    return true_bg, cgm, float(sensor._params["min"])


def _draw_faults(
    config: SimulationConfig, rng: Any, samples: int
) -> list[tuple[FaultKind, int, int]]:
    """Non-overlapping faults as (kind, first sample, end sample), drawn from `rng`."""
    per_day = 24 * 60 // SENSOR_MINUTES
    night = 6 * 60 // SENSOR_MINUTES
    faults: list[tuple[FaultKind, int, int]] = []
    plan: list[tuple[FaultKind, float, tuple[int, int], bool]] = [
        ("compression low", config.compression_lows_per_day, (20, 60), True),
        ("dropout", config.dropouts_per_day, (10, 90), False),
    ]
    for kind, rate, (shortest, longest), at_night in plan:
        for _ in range(int(rng.poisson(rate * config.days))):
            length = int(rng.integers(shortest, longest + 1)) // SENSOR_MINUTES
            day = int(rng.integers(0, max(1, math.floor(config.days))))
            offset = int(rng.integers(0, night if at_night else per_day))
            first = day * per_day + offset
            end = min(first + length, samples)
            if end - first < 2 or any(first < b and a < end for _, a, b in faults):
                continue
            faults.append((kind, first, end))
    return sorted(faults, key=lambda f: f[1])


def _apply_faults(
    cgm: list[float], faults: list[tuple[FaultKind, int, int]], rng: Any, floor: float
) -> list[float | None]:
    """The CGM values with compression lows pressed down (never under the sensor's `floor`)
    and dropouts removed (None)."""
    values: list[float | None] = list(cgm)
    for kind, first, end in faults:
        if kind == "dropout":
            values[first:end] = [None] * (end - first)
            continue
        depth = float(rng.uniform(0.35, 0.6))
        n = end - first
        for k in range(n):
            # fall over the first two samples, recover over the last one
            weight = min(1.0, (k + 1) / 2, (n - k) / 1.5)
            value = cgm[first + k] * (1 - weight * (1 - depth))
            values[first + k] = max(value, floor)
    return values


def _fault_event(start: datetime, kind: FaultKind, first: int, end: int) -> TraceEvent:
    step = timedelta(minutes=SENSOR_MINUTES)
    return TraceEvent(kind=kind, start=start + first * step, end=start + end * step)
