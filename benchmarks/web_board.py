"""Ward board render time: 200 patients and 20,000 stored vital-sign sets (SYNTHETIC).

Builds a SQLite database in a temporary folder with 200 SYNTHETIC patients, 100 sets each
(every 15 minutes, a seeded random walk around normal values, scored with medlm's NEWS2), and
an unacknowledged alert for each patient whose latest set is at response level 2 or more. Then
signs a clinician in through the app and times N requests of the board page (`GET /`) and of the
live table partial (`GET /board/table`) through the ASGI app (httpx ASGITransport, no network),
audit writes included. Prints the CPU and load average, p50 / p95 per route; the target is a
p95 under 200 ms.

    .venv/bin/python benchmarks/web_board.py [--patients 200] [--sets 100] [--requests 50]
        [--freeze]

Without --freeze, the p95 is set by the interpreter's full garbage collections (each walks every
object the app loaded at start, 0.3-0.8 s here); with it, by the board itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import sqlalchemy as sa

from medlm.knowledge.early_warning import load_news2
from medlm.monitor.scoring import score_news2
from medlm.monitor.vitals import VitalSigns
from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.settings import Settings
from medlm.storage.tables.monitor import StoredAlert, VitalReading, VitalScore
from medlm.web.accounts import AccountStore
from medlm.web.router import web_router

PASSWORD = "benchmark password"
# Starting values and per-step spread of the SYNTHETIC random walk (not clinical thresholds).
WALK = {
    "respiratory_rate": (16.0, 1.0, 6.0, 40.0),
    "spo2": (96.0, 0.7, 80.0, 100.0),
    "systolic_bp": (122.0, 4.0, 70.0, 200.0),
    "heart_rate": (78.0, 3.0, 35.0, 160.0),
    "temperature_c": (37.0, 0.15, 34.5, 40.5),
}


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} logical CPUs)"
    return f"unknown ({os.cpu_count()} logical CPUs)"


def synthetic_sets(patients: int, per_patient: int, seed: int = 7) -> list[VitalSigns]:
    """SYNTHETIC sets: one seeded random walk per patient, newest set five minutes ago."""
    rng = np.random.default_rng(seed)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    sets = []
    for p in range(patients):
        current = {k: start for k, (start, _, _, _) in WALK.items()}
        for step in range(per_patient):
            for key, (_, spread, low, high) in WALK.items():
                current[key] = float(np.clip(current[key] + rng.normal(0, spread), low, high))
            time_ = end - timedelta(minutes=15 * (per_patient - 1 - step))
            sets.append(
                VitalSigns(
                    patient_id=f"synthetic-{p:04d}",
                    time=time_,
                    on_oxygen=bool(rng.random() < 0.1),
                    consciousness="A",
                    respiratory_rate=round(current["respiratory_rate"]),
                    spo2=round(current["spo2"]),
                    systolic_bp=round(current["systolic_bp"]),
                    heart_rate=round(current["heart_rate"]),
                    temperature_c=round(current["temperature_c"], 1),
                )
            )
    return sets


def store(engine: sa.Engine, sets: list[VitalSigns]) -> int:
    """Insert the sets' readings, scores and open alerts; the number of alerts."""
    table = load_news2()
    now = datetime.now(UTC)
    readings: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    latest: dict[str, tuple[datetime, int]] = {}
    for vitals in sets:
        result = score_news2(vitals, table)
        for name in (*WALK, "on_oxygen", "consciousness"):
            value = getattr(vitals, name)
            readings.append({
                "patient_id": vitals.patient_id, "time": vitals.time, "parameter": name,
                "value_num": None if isinstance(value, str) else float(value),
                "value_text": value if isinstance(value, str) else None,
                "spo2_scale": 1, "source": "benchmark", "received_at": now,
            })  # fmt: skip
        scores.append({
            "patient_id": vitals.patient_id, "time": vitals.time, "total": result.total,
            "partial_total": result.partial_total, "level": result.level, "risk": result.risk,
            "result": result.model_dump(mode="json"), "scored_at": now,
        })  # fmt: skip
        latest[vitals.patient_id] = (vitals.time, result.level)
    alerts = [
        {
            "patient_id": pid, "time": when, "signal": "news2", "kind": "raised", "level": level,
            "previous_level": 0, "response": None, "reason": "SYNTHETIC benchmark alert",
            "notify": True, "created_at": now,
        }
        for pid, (when, level) in latest.items()
        if level >= 2
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.insert(VitalReading), readings)
        conn.execute(sa.insert(VitalScore), scores)
        if alerts:
            conn.execute(sa.insert(StoredAlert), alerts)
    return len(alerts)


async def measure(app: Any, requests: int) -> dict[str, list[float]]:
    """Sign in, then time `requests` GETs of each board route."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        form = {"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
        signed = await client.post("/signin", data=form)
        assert signed.status_code == 303, signed.status_code
        timings: dict[str, list[float]] = {"/": [], "/board/table": []}
        for route in timings:
            await client.get(route)  # warm-up (template compile, caches)
        for _ in range(requests):  # the routes in turn, so both meet the same machine load
            for route in timings:
                start = time.perf_counter()
                response = await client.get(route)
                timings[route].append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
        return timings


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(data_dir=Path(folder)))
        app.include_router(web_router)
        async with app.router.lifespan_context(app):
            engine = app.state.services.engine
            CredentialStore(engine).create_user("bench", Role.CLINICIAN)
            AccountStore(engine).set_password("bench", PASSWORD)
            started = time.perf_counter()
            sets = synthetic_sets(args.patients, args.sets)
            alerts = store(engine, sets)
            count = len(sets)
            del sets
            gc.collect()  # the data building's garbage is not charged to the first requests
            if args.freeze:
                gc.freeze()  # start-up objects leave the collector's full passes
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"CPU: {cpu_model()}; load average {load} (other work on the machine slows it)")
            print(
                f"SYNTHETIC data: {args.patients} patients, {count} sets, {alerts} open "
                f"alerts (built in {time.perf_counter() - started:.1f} s)"
            )
            timings = await measure(app, args.requests)
    for route, values in timings.items():
        ms = sorted(v * 1000 for v in values)
        p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
        print(
            f"GET {route:<13} n={len(ms)}  p50 {statistics.median(ms):6.1f} ms  "
            f"p95 {p95:6.1f} ms  (target p95 < 200 ms: {'met' if p95 < 200 else 'NOT met'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--sets", type=int, default=100, help="sets per patient")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--freeze",
        action="store_true",
        help="gc.freeze() after start-up: the app holds millions of objects (models, "
        "dictionaries) that each full garbage collection otherwise walks (pauses of 0.3-0.8 s)",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
