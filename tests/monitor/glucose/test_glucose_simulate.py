"""SYNTHETIC simglucose traces: seeded, 5-minute CGM, offline, labelled events and faults."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from medlm.errors import InputError
from medlm.monitor.glucose.simulate import (
    SimulatedTrace,
    SimulationConfig,
    TrueGlucose,
    simulate,
    true_runs,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CLEAN = SimulationConfig(
    virtual_patient="child#001",
    days=1,
    seed=3,
    bolus_error_sd=0.3,
    compression_lows_per_day=0,
    dropouts_per_day=0,
)
FAULTY = CLEAN.model_copy(update={"compression_lows_per_day": 3, "dropouts_per_day": 3})


@pytest.fixture(scope="module")
def clean() -> SimulatedTrace:
    return simulate(CLEAN)


@pytest.fixture(scope="module")
def faulty(monkeypatch_module: pytest.MonkeyPatch) -> SimulatedTrace:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the simulator tried to open a network connection")

    monkeypatch_module.setattr(socket.socket, "connect", refuse)
    monkeypatch_module.setattr(socket, "create_connection", refuse)
    return simulate(FAULTY)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_clean_trace_is_cgm_every_five_minutes_labelled_synthetic(clean: SimulatedTrace) -> None:
    times = [r.time for r in clean.readings]
    assert clean.label == "SYNTHETIC"
    assert len(times) == 24 * 12 + 1
    assert {b - a for a, b in itertools.pairwise(times)} == {timedelta(minutes=5)}
    assert {r.source for r in clean.readings} == {"cgm"}
    assert all("SYNTHETIC" in (r.origin or "") for r in clean.readings)
    assert len(clean.true_glucose) == 24 * 60 + 1


def test_cgm_follows_the_true_glucose_within_sensor_error(clean: SimulatedTrace) -> None:
    truth = {p.time: p.mg_dl for p in clean.true_glucose}
    errors = [abs(r.mg_dl - truth[r.time]) / truth[r.time] for r in clean.readings]
    errors.sort()
    assert errors[len(errors) // 2] < 0.15  # median relative difference (lag plus noise)


def test_same_seed_gives_the_same_trace_and_fault_free_values_are_untouched(
    clean: SimulatedTrace, faulty: SimulatedTrace
) -> None:
    again = simulate(CLEAN)
    assert [r.mg_dl for r in again.readings] == [r.mg_dl for r in clean.readings]
    in_fault = {
        r.time for r in clean.readings if any(f.start <= r.time < f.end for f in faulty.faults)
    }
    by_time = {r.time: r.mg_dl for r in faulty.readings}
    for reading in clean.readings:
        if reading.time not in in_fault:
            assert by_time[reading.time] == reading.mg_dl


def test_dropouts_remove_every_reading_of_their_interval(
    clean: SimulatedTrace, faulty: SimulatedTrace
) -> None:
    dropouts = [f for f in faulty.faults if f.kind == "dropout"]
    assert dropouts
    times = {r.time for r in faulty.readings}
    for fault in dropouts:
        assert not any(fault.start <= t < fault.end for t in times)
    missing = len(clean.readings) - len(faulty.readings)
    assert missing == sum((f.end - f.start) // timedelta(minutes=5) for f in dropouts)


def test_compression_lows_fall_sharply_at_night_last_20_to_60_minutes_and_recover(
    clean: SimulatedTrace, faulty: SimulatedTrace
) -> None:
    lows = [f for f in faulty.faults if f.kind == "compression low"]
    assert lows
    before = {r.time: r.mg_dl for r in clean.readings}
    after = {r.time: r.mg_dl for r in faulty.readings}
    for fault in lows:
        assert fault.start.hour < 6
        assert timedelta(minutes=20) <= fault.end - fault.start <= timedelta(minutes=60)
        inside = [t for t in after if fault.start <= t < fault.end]
        assert all(after[t] < before[t] for t in inside)
        assert any(after[t] <= max(0.6 * before[t], 39.0) for t in inside)
        if fault.end in after:
            assert after[fault.end] == before[fault.end]


def test_level2_events_are_true_runs_below_54_of_at_least_15_minutes() -> None:
    values = [80.0] * 5 + [53.0] * 14 + [80.0] * 3 + [53.9] * 15 + [54.0] * 2 + [40.0] * 20
    truth = [TrueGlucose(time=T0 + timedelta(minutes=m), mg_dl=v) for m, v in enumerate(values)]
    events = true_runs(truth, below=54, min_minutes=15)
    assert {e.kind for e in events} == {"below threshold"}
    assert [(e.start, e.end, e.nadir_mg_dl) for e in events] == [
        (T0 + timedelta(minutes=22), T0 + timedelta(minutes=37), 53.9),
        (T0 + timedelta(minutes=39), T0 + timedelta(minutes=59), 40.0),
    ]


def test_simulated_level2_events_match_the_true_glucose(faulty: SimulatedTrace) -> None:
    below = [p for p in faulty.true_glucose if p.mg_dl < 54]
    for event in faulty.events:
        assert event.kind == "level 2 hypoglycaemia"
        assert event.end - event.start >= timedelta(minutes=15)
        inside = [p for p in faulty.true_glucose if event.start <= p.time < event.end]
        assert all(p.mg_dl < 54 for p in inside)
    covered = sum((e.end - e.start) // timedelta(minutes=1) for e in faulty.events)
    assert covered <= len(below)


def test_unknown_virtual_patient_is_named_in_the_error() -> None:
    with pytest.raises(InputError, match="nobody#001"):
        simulate(SimulationConfig(virtual_patient="nobody#001", days=0.01))
