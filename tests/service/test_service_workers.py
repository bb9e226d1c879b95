"""`medlm serve --workers 2` as a real process tree: both workers start, serve and are replaced,
and share one monitor state (a stream sent one set at a time raises the alerts of one monitor)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

STARTED = re.compile(r"Started server process \[(\d+)\]")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker_pids(log: Path) -> list[int]:
    return [int(p) for p in STARTED.findall(log.read_text(errors="replace"))]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition: object, what: str, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        if "Traceback" in log.read_text(errors="replace"):
            break  # a worker failed to start: uvicorn would restart it forever
        time.sleep(0.2)
    text = log.read_text(errors="replace")
    pytest.fail(f"not {what} within {timeout:.0f} s; server log:\n{text}")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _startups(log: Path) -> int:
    return log.read_text(errors="replace").count("Application startup complete")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`medlm serve --workers 2` on a free loopback port (SQLite), shared by this module's tests
    (starting it takes tens of seconds); yields (base URL, log)."""
    tmp_path = tmp_path_factory.mktemp("workers")
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "MEDLM_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    env.pop("MEDLM_DATABASE_URL", None)
    medlm = Path(sys.executable).with_name("medlm")
    command = [str(medlm), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with log.open("w") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _healthy(url), "the service answering /health", log)
        _wait_for(lambda: _startups(log) >= 2, "two workers started", log)
        yield url, log
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def _health_statuses(url: str, n: int) -> list[int]:
    """n /health calls, each on a fresh connection so the workers' accept loops share them."""
    return [httpx.get(f"{url}/health", timeout=10).status_code for _ in range(n)]


@pytest.mark.slow
def test_two_workers_start_and_every_health_call_succeeds(two_workers: tuple[str, Path]) -> None:
    url, log = two_workers
    pids = _worker_pids(log)
    assert len(set(pids)) == 2 and all(_alive(p) for p in pids)
    assert _startups(log) >= 2
    assert _health_statuses(url, 40) == [200] * 40


@pytest.mark.slow
def test_a_killed_worker_is_replaced_while_the_other_keeps_serving(
    two_workers: tuple[str, Path],
) -> None:
    url, log = two_workers
    first, second = _worker_pids(log)[:2]
    os.kill(first, signal.SIGKILL)
    assert _health_statuses(url, 20) == [200] * 20  # the other worker answers meanwhile
    _wait_for(lambda: _startups(log) >= 3, "a replacement worker started", log)
    replacement = _worker_pids(log)[2]
    assert replacement not in (first, second) and _alive(replacement) and _alive(second)
    assert _health_statuses(url, 20) == [200] * 20


def _one_at_a_time(url: str, sets: list[Any]) -> None:
    """Post each set alone, in time order, each on a fresh connection (so either worker)."""
    for vitals in sets:
        item = vitals.model_dump(mode="json", exclude={"sources"}, exclude_none=True)
        response = httpx.post(f"{url}/v1/vitals", json={"vitals": [item]}, timeout=60)
        assert response.status_code == 200 and response.json()["errors"] == [], response.text


@pytest.mark.slow
def test_two_workers_raise_the_alerts_one_monitor_raises(
    two_workers: tuple[str, Path], tmp_path: Path
) -> None:
    from medlm.monitor.scenarios import make_scenarios
    from medlm.monitor.store import stored_alerts
    from medlm.service.services import vitals_service
    from medlm.settings import Settings
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    url, _ = two_workers
    sets = sorted((v for s in make_scenarios(per_kind=1) for v in s.sets), key=lambda v: v.time)
    settings = Settings(data_dir=tmp_path / "one-monitor")
    engine = make_engine(settings)
    upgrade(engine)
    one = vitals_service(settings, engine).durable
    for vitals in sets:
        one.ingest([vitals])
    expected = Counter((a.kind, a.level) for _, a in stored_alerts(engine, limit=1000))
    _one_at_a_time(url, sets)
    served = httpx.get(f"{url}/v1/alerts", params={"limit": 1000}, timeout=60).json()
    assert Counter((a["alert"]["kind"], a["alert"]["level"]) for a in served) == expected


def _urgent_sets(patient_id: str, hours: int) -> list[Any]:
    """Hourly sets at NEWS2 5 (RR 23: 2, SpO2 95: 1, HR 105: 1, temperature 38.5: 1; the
    urgent-response level without a red score), ending an hour ago (SYNTHETIC values)."""
    from datetime import UTC, datetime, timedelta

    from medlm.monitor.vitals import VitalSigns

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours + 1)
    return [
        VitalSigns(
            patient_id=patient_id,
            time=start + timedelta(hours=i),
            respiratory_rate=23,
            spo2=95,
            on_oxygen=False,
            systolic_bp=120,
            heart_rate=105,
            consciousness="A",
            temperature_c=38.5,
        )
        for i in range(hours)
    ]


@pytest.mark.slow
def test_an_acknowledgement_taken_by_one_worker_holds_in_both(
    two_workers: tuple[str, Path],
) -> None:
    from medlm.monitor.alerts import AlertPolicy

    url, _ = two_workers
    sets = _urgent_sets("ack-across-workers", hours=8)
    unacknowledged = AlertPolicy()  # the same stream without the acknowledgement re-notifies
    assessments = [_assess(v) for v in sets]
    kinds = [a.kind for x in assessments for a in unacknowledged.evaluate(x)]
    assert kinds[0] == "raised" and "renotified" in kinds
    _one_at_a_time(url, sets[:1])
    params = {"patient_id": "ack-across-workers"}
    [raised] = httpx.get(f"{url}/v1/alerts", params=params, timeout=60).json()
    answer = httpx.post(f"{url}/v1/alerts/{raised['id']}/acknowledge", timeout=60)
    assert answer.status_code == 200, answer.text
    _one_at_a_time(url, sets[1:])
    served = httpx.get(f"{url}/v1/alerts", params=params, timeout=60).json()
    assert [a["alert"]["kind"] for a in served] == ["raised"]


def _assess(vitals: Any) -> Any:
    from medlm.monitor.stream import VitalSignMonitor

    assessment, _ = VitalSignMonitor().ingest(vitals)
    return assessment
