"""Monitoring: durable ingest throughput vs raw inserts, and end-to-end alert latency.

1. Sets per second through `DurableMonitor.ingest` (validate, score, trend, alert policy, one
   transaction with readings, scores, quarantine and alerts, on disk before it returns) vs raw
   executemany INSERTs of the same reading rows into the same table of a same-schema database,
   one transaction per batch. Ratio: durable / raw.
2. End-to-end alert latency: one set per call (a reading arrives, is scored, the alert policy
   runs and the alert is committed), p50/p99 over the calls that raised an alert.
SQLite file (WAL, synchronous=FULL) by default; PostgreSQL with --url. Data: labelled SYNTHETIC
scenarios (`medlm.monitor.scenarios`), patients repeated under new ids.

    .venv/bin/python benchmarks/monitor_ingest.py [--patients 100] [--batch 50] [--url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from medlm.monitor.scenarios import make_scenarios
from medlm.monitor.store import DurableMonitor, reading_rows
from medlm.monitor.vitals import VitalSigns
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade
from medlm.storage.tables.monitor import VitalReading


def stream(patients: int) -> list[VitalSigns]:
    base = make_scenarios(per_kind=1)
    out = []
    for i in range(patients):
        src = base[i % len(base)]
        out += [v.model_copy(update={"patient_id": f"{src.patient_id}-{i}"}) for v in src.sets]
    return sorted(out, key=lambda v: (v.time, v.patient_id))


def fresh_engine(url: str | None, folder: Path, name: str) -> sa.Engine:
    settings = Settings(data_dir=folder / name, storage={"database_url": url} if url else {})
    engine = make_engine(settings)
    if url:
        from medlm.storage.migrate import downgrade

        downgrade(engine, "base")
    upgrade(engine)
    return engine


def throughput(sets: list[VitalSigns], batch: int, url: str | None, folder: Path) -> None:
    durable = DurableMonitor(fresh_engine(url, folder, "durable"))
    started = time.perf_counter()
    for i in range(0, len(sets), batch):
        durable.ingest(sets[i : i + batch])
    durable_s = time.perf_counter() - started
    raw_engine = fresh_engine(url, folder, "raw")
    now = datetime.now(UTC)
    started = time.perf_counter()
    for i in range(0, len(sets), batch):
        rows = [r for v in sets[i : i + batch] for r in reading_rows(v, "bench", now)]
        with raw_engine.begin() as conn:
            conn.execute(sa.insert(VitalReading), rows)
    raw_s = time.perf_counter() - started
    print(f"SYNTHETIC sets: {len(sets)} in batches of {batch} ({durable.engine.dialect.name})")
    print(f"durable ingest: {len(sets) / durable_s:10,.0f} sets/s")
    print(f"raw inserts:    {len(sets) / raw_s:10,.0f} sets/s")
    print(f"ratio durable / raw: {raw_s / durable_s:.2f}")


def alert_latency(sets: list[VitalSigns], url: str | None, folder: Path) -> None:
    durable = DurableMonitor(fresh_engine(url, folder, "latency"))
    latencies = []
    for vitals in sets:
        started = time.perf_counter()
        report = durable.ingest([vitals])
        elapsed = time.perf_counter() - started
        if any(a.notify for a in report.alerts):
            latencies.append(elapsed * 1000)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"alert latency over {len(latencies)} alerts (one set per call, committed):")
    print(f"p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--latency-patients", type=int, default=40)
    parser.add_argument("--url", default=None, help="database URL (default: SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        throughput(stream(args.patients), args.batch, args.url, Path(tmp))
        alert_latency(stream(args.latency_patients), args.url, Path(tmp))


if __name__ == "__main__":
    main()
