"""Monitoring: NEWS2 scoring throughput, vectorised vs per-set, and monitor memory over a stream.

1. Vital-sign sets scored per second in memory: `medlm.monitor.vectorised` (numpy, columns)
   vs `medlm.monitor.scoring.score_news2` (one set at a time), same SYNTHETIC random sets,
   same cited tables, results checked equal. Ratio: vectorised / per-set.
2. `VitalSignMonitor` over a long SYNTHETIC stream of many patients (hourly sets, 24 h window):
   sets held and traced Python memory at quarters of the stream. Flat means bounded.

    .venv/bin/python benchmarks/monitor_scoring.py [--sets 20000] [--patients 100 --hours 400]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np

from medlm.knowledge.early_warning import load_news2
from medlm.monitor.scoring import score_news2
from medlm.monitor.stream import VitalSignMonitor
from medlm.monitor.vectorised import score_news2_columns
from medlm.monitor.vitals import VitalSigns

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def random_columns(n: int, seed: int = 0) -> tuple[dict[str, np.ndarray], list[str | None]]:
    rng = np.random.default_rng(seed)
    cols = {
        "respiratory_rate": rng.integers(6, 32, n).astype(float),
        "spo2": rng.integers(80, 101, n).astype(float),
        "spo2_scale": rng.choice([1.0, 2.0], n, p=[0.9, 0.1]),
        "on_oxygen": rng.choice([0.0, 1.0], n, p=[0.8, 0.2]),
        "systolic_bp": rng.integers(70, 230, n).astype(float),
        "heart_rate": rng.integers(35, 150, n).astype(float),
        "temperature_c": np.round(rng.uniform(34.5, 40.0, n), 1),
    }
    consciousness = list(rng.choice(["A", "A", "A", "A", "C", "V"], n))
    return cols, consciousness


def to_sets(cols: dict[str, np.ndarray], consciousness: list[str | None]) -> list[VitalSigns]:
    return [
        VitalSigns(
            patient_id="bench", time=T0, respiratory_rate=cols["respiratory_rate"][i],
            spo2=cols["spo2"][i], spo2_scale=int(cols["spo2_scale"][i]),
            on_oxygen=bool(cols["on_oxygen"][i]), systolic_bp=cols["systolic_bp"][i],
            heart_rate=cols["heart_rate"][i], consciousness=consciousness[i],
            temperature_c=cols["temperature_c"][i],
        )
        for i in range(len(consciousness))
    ]  # fmt: skip


def scoring_throughput(n: int) -> None:
    table = load_news2()
    cols, consciousness = random_columns(n)
    sets = to_sets(cols, consciousness)
    started = time.perf_counter()
    per_set = [score_news2(v, table) for v in sets]
    per_set_s = time.perf_counter() - started
    started = time.perf_counter()
    out = score_news2_columns(cols, consciousness, table)
    vector_s = time.perf_counter() - started
    assert [r.total for r in per_set] == [int(t) for t in out.total], "results differ"
    print(f"SYNTHETIC random sets: {n}")
    print(f"per-set scorer:    {n / per_set_s:12,.0f} sets/s")
    print(f"vectorised scorer: {n / vector_s:12,.0f} sets/s")
    print(f"ratio vectorised / per-set: {per_set_s / vector_s:.1f}x")


def stream_memory(patients: int, hours: int) -> None:
    monitor = VitalSignMonitor(window=timedelta(hours=24))
    cols, consciousness = random_columns(patients * hours, seed=1)
    cols["spo2_scale"][:] = 1.0
    tracemalloc.start()
    quarter = hours // 4
    print(f"SYNTHETIC stream: {patients} patients x {hours} hourly sets, 24 h window")
    i = 0
    for hour in range(hours):
        for p in range(patients):
            monitor.ingest(
                VitalSigns(
                    patient_id=f"p{p}", time=T0 + timedelta(hours=hour),
                    respiratory_rate=cols["respiratory_rate"][i], spo2=cols["spo2"][i],
                    systolic_bp=cols["systolic_bp"][i], heart_rate=cols["heart_rate"][i],
                    on_oxygen=bool(cols["on_oxygen"][i]), consciousness=consciousness[i],
                    temperature_c=cols["temperature_c"][i],
                )
            )  # fmt: skip
            i += 1
        if (hour + 1) % quarter == 0:
            current, _ = tracemalloc.get_traced_memory()
            print(
                f"after {i:7d} sets: {monitor.state_size():6d} sets held, "
                f"{current / 2**20:6.1f} MiB traced"
            )
    tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=20000)
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--hours", type=int, default=400)
    args = parser.parse_args()
    scoring_throughput(args.sets)
    stream_memory(args.patients, args.hours)


if __name__ == "__main__":
    main()
