"""kill -9 of `medlm serve --workers 2` on PostgreSQL mid-stream: nothing acknowledged is lost,
re-sending the unacknowledged batches after a restart stores each reading exactly once, and the
alerts are those one monitor raises from the same batches (the workers share one state)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from medlm.monitor.scenarios import make_scenarios
from medlm.monitor.store import utc
from medlm.monitor.vitals import VitalSigns

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MEDLM = str(Path(sys.executable).with_name("medlm"))
CLIENTS = 3
BATCH = 10
KILL_AFTER = 30  # acknowledged batches (of about 150) before the kill

Key = tuple[str, datetime, str]


def _client_batches() -> list[list[list[VitalSigns]]]:
    """Per client, its patients' sets in time order, in batches of BATCH (SYNTHETIC data)."""
    base = make_scenarios(per_kind=1)
    clients: list[list[VitalSigns]] = [[] for _ in range(CLIENTS)]
    for i in range(30):
        src = base[i % len(base)]
        clients[i % CLIENTS] += [
            v.model_copy(update={"patient_id": f"{src.patient_id}-{i}"}) for v in src.sets
        ]
    ordered = [sorted(sets, key=lambda v: (v.time, v.patient_id)) for sets in clients]
    return [[sets[i : i + BATCH] for i in range(0, len(sets), BATCH)] for sets in ordered]


def _item(vitals: VitalSigns) -> dict[str, Any]:
    """A `POST /v1/vitals` item: the set's measured fields (provenance is the server's)."""
    return vitals.model_dump(mode="json", exclude={"sources"}, exclude_none=True)


def _keys(sets: list[VitalSigns]) -> set[Key]:
    return {(v.patient_id, v.time.astimezone(UTC), p) for v in sets for p in v.present()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[Any], str]:
    """`medlm serve --workers 2` in its own process group, once both workers are up."""
    port = _free_port()
    command = [MEDLM, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with log.open("w") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if text.count("Application startup complete") >= 2:
            return server, f"http://127.0.0.1:{port}"
        if "Traceback" in text or server.poll() is not None:
            break
        time.sleep(0.3)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)
    pytest.fail(f"medlm serve --workers 2 did not start:\n{log.read_text(errors='replace')}")


async def _send(
    url: str, batches: list[list[list[VitalSigns]]], acked: set[tuple[int, int]], kill: Any
) -> None:
    """Each client posts its batches in order; (client, batch) is added to `acked` on a 200.
    `kill` (or None) is called once KILL_AFTER batches are acknowledged; a client stops at the
    first request that gets no answer."""

    async def client(c: int, http: httpx.AsyncClient) -> None:
        for b, batch in enumerate(batches[c]):
            if (c, b) in acked:
                continue
            body = {"vitals": [_item(v) for v in batch]}
            try:
                response = await http.post("/v1/vitals", json=body)
            except httpx.HTTPError:
                return  # the service is gone: this batch and the rest are unacknowledged
            assert response.status_code == 200, response.text
            assert response.json()["errors"] == []
            acked.add((c, b))
            if kill is not None and len(acked) >= KILL_AFTER:
                kill()

    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection, so any worker, each time
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=fresh) as http:
        await asyncio.gather(*(client(c, http) for c in range(CLIENTS)))


def _stored(engine: sa.Engine) -> list[Key]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT patient_id, time, parameter FROM vital_readings"))
        return [(pid, utc(datetime.fromisoformat(str(t))), p) for pid, t, p in rows]


def _alert_keys(engine: sa.Engine) -> Counter[tuple[str, datetime, str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT patient_id, time, kind, level FROM vital_alerts"))
        return Counter((pid, utc(datetime.fromisoformat(str(t))), k, lv) for pid, t, k, lv in rows)


def _alerts_of_one_monitor(
    batches: list[list[list[VitalSigns]]], folder: Path
) -> Counter[tuple[str, datetime, str, int]]:
    """The alerts one in-process monitor with the service's settings raises from each client's
    batches in order (a patient's sets all come from one client)."""
    from medlm.service.services import vitals_service
    from medlm.settings import Settings
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    settings = Settings(data_dir=folder)
    engine = make_engine(settings)
    upgrade(engine)
    one = vitals_service(settings, engine).durable
    for client in batches:
        for batch in client:
            one.ingest(batch)
    alerts = _alert_keys(engine)
    engine.dispose()
    return alerts


def _scalar(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def test_kill_9_of_two_workers_loses_no_acknowledged_reading_and_resend_stores_each_once(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    from medlm.settings import Settings, StorageSettings
    from medlm.storage.engine import make_engine

    env = {
        **os.environ,
        "MEDLM_DATA_DIR": str(tmp_path / "data"),
        "MEDLM_DATABASE_URL": postgres_schema_url,
        "MEDLM_SECURITY__DEV_NO_AUTH_LOOPBACK": "true",
        "PYTHONUNBUFFERED": "1",
    }
    batches = _client_batches()
    acked: set[tuple[int, int]] = set()
    server, url = _start(env, tmp_path / "first.log")
    killed: list[bool] = []

    def kill_all() -> None:  # the parent and both workers, at once
        if not killed:
            os.killpg(server.pid, signal.SIGKILL)
            killed.append(True)

    try:
        asyncio.run(_send(url, batches, acked, kill=kill_all))
    finally:
        kill_all()
        server.wait(timeout=30)
    total = sum(len(b) for b in batches)
    assert KILL_AFTER <= len(acked) < total, "the service must be killed mid-stream"
    engine = make_engine(Settings(storage=StorageSettings(database_url=postgres_schema_url)))
    acked_sets = [v for c, b in sorted(acked) for v in batches[c][b]]
    assert _keys(acked_sets) <= set(_stored(engine))  # every acknowledged reading is stored
    audited = "SELECT count(*) FROM audit_log WHERE route = 'POST /v1/vitals' AND outcome = 200"
    assert _scalar(engine, audited) >= len(acked)  # and every acknowledged write is audited

    server, url = _start(env, tmp_path / "second.log")
    try:
        asyncio.run(_send(url, batches, acked, kill=None))  # only the unacknowledged batches
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert len(acked) == total
    every_set = [v for client in batches for batch in client for v in batch]
    stored = _stored(engine)
    assert len(stored) == len(set(stored)) and set(stored) == _keys(every_set)
    duplicate_alerts = (
        "SELECT count(*) FROM (SELECT patient_id, time, kind, level FROM vital_alerts "
        "GROUP BY patient_id, time, kind, level HAVING count(*) > 1) d"
    )
    assert _scalar(engine, duplicate_alerts) == 0
    assert _alert_keys(engine) == _alerts_of_one_monitor(batches, tmp_path / "one")
    distinct_sets = len({(v.patient_id, v.time) for v in every_set})
    assert _scalar(engine, "SELECT count(*) FROM vital_scores") == distinct_sets
    engine.dispose()
    verify = subprocess.run([MEDLM, "audit", "verify"], env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
