"""The MIT-BIH ECG record: 5 minutes at 360 Hz, in millivolts."""

from __future__ import annotations

import pytest

from medlm.datasets import load
from medlm.errors import InputError


def test_ecg_is_five_minutes_at_360_hz() -> None:
    ecg = load("mitbih-ecg")
    assert ecg.sampling_rate_hz == 360.0
    assert len(ecg) == 108000
    assert ecg.frame["time_s"].iloc[-1] == pytest.approx(299.9972, abs=1e-4)
    assert ecg.frame["ecg_mv"].abs().max() < 10  # millivolts, not raw ADC units


def test_ecg_has_no_patient_records() -> None:
    with pytest.raises(InputError, match="not patient-level"):
        load("mitbih-ecg", limit=10).to_records()
