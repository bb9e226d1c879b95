"""The service's composition root: services built once before serving, migrations run once,
concurrent first requests answered without a 500, engine disposed at shutdown, overridable."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

import medlm.storage.migrate as migrate
from medlm.service.app import create_app
from medlm.service.deps import get_recommender
from medlm.service.services import AppServices, services_of
from medlm.settings import MonitorSettings, Settings

ROUTES = ["/v1/alerts", "/v1/risk/models", "/v1/text/vocabularies", "/health", "/v1/alerts"]


@pytest.fixture
def upgrades(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts calls of the migration upgrade (the real one still runs)."""
    calls: list[int] = []
    real = migrate.upgrade

    def counting(engine: Any, revision: str = "heads") -> None:
        calls.append(1)
        real(engine, revision)

    monkeypatch.setattr(migrate, "upgrade", counting)
    return calls


def _hammer(client: TestClient, n: int = 10) -> list[int]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        responses = list(pool.map(lambda i: client.get(ROUTES[i % len(ROUTES)]), range(n)))
    return [r.status_code for r in responses]


def test_ten_concurrent_requests_right_after_start_get_no_500_and_migrate_once(
    settings: Settings, upgrades: list[int]
) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        statuses = _hammer(client)
    assert statuses == [200] * 10
    assert len(upgrades) == 1


def test_concurrent_first_requests_without_lifespan_build_the_services_once(
    settings: Settings, upgrades: list[int]
) -> None:
    client = TestClient(create_app(settings), raise_server_exceptions=False)  # no lifespan
    statuses = _hammer(client)
    assert statuses == [200] * 10
    assert len(upgrades) == 1


def test_every_service_shares_the_one_engine(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        assert isinstance(services, AppServices)
        assert services.vitals.durable.engine is services.engine
        assert services.audit.engine is services.engine


def test_the_engine_is_disposed_at_shutdown(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    disposed: list[int] = []
    monkeypatch.setattr(AppServices, "close", lambda self: disposed.append(1))
    app = create_app(settings)
    with TestClient(app):
        assert isinstance(app.state.services, AppServices)
    assert disposed == [1] and app.state.services is None


def test_the_durable_monitor_uses_the_monitor_settings(settings: Settings) -> None:
    monitor = MonitorSettings(
        window_hours=12, trend_window_hours=3, trend_rise=3, min_level=3,
        renotify_after_hours=1, deescalate_after=4, alert_on_rising=False,
    )  # fmt: skip
    app = create_app(settings.model_copy(update={"monitor": monitor}))
    durable = services_of(app).vitals.durable
    assert durable.monitor.window == timedelta(hours=12)
    assert durable.monitor.trend_window == timedelta(hours=3)
    assert durable.monitor.trend_rise == 3
    assert durable.policy.min_level == 3
    assert durable.policy.renotify_after == timedelta(hours=1)
    assert durable.policy.deescalate_after == 4
    assert durable.policy.alert_on_rising is False


def test_a_monitor_trend_window_longer_than_the_window_is_refused() -> None:
    with pytest.raises(ValueError, match="trend_window_hours"):
        MonitorSettings(window_hours=2, trend_window_hours=6)


def test_a_test_can_override_one_service(settings: Settings) -> None:
    class Refusing:
        def recommend(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the override was used")

    app = create_app(settings)
    app.dependency_overrides[get_recommender] = lambda: Refusing()
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {"record": {"patient": {"id": "p1"}}}
        response = client.post("/v1/treatment/recommend", json=body)
    assert response.status_code == 500  # the fake raised: the route used the override


def test_create_app_from_env_reads_settings_from_the_environment(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medlm.service.app import create_app_from_env

    monkeypatch.setenv("MEDLM_DATA_DIR", str(tmp_path / "env-data"))
    monkeypatch.setenv("MEDLM_MONITOR__MIN_LEVEL", "3")
    app = create_app_from_env()
    assert app.state.settings.data_dir == tmp_path / "env-data"
    assert app.state.settings.monitor.min_level == 3


_UPGRADE = """
import sys
from medlm.settings import Settings
from medlm.storage import migrate
from medlm.storage.engine import make_engine

engine = make_engine(Settings(storage={"database_url": sys.argv[1]}))
try:
    migrate.upgrade(engine)
finally:
    engine.dispose()
"""


@pytest.mark.slow
def test_worker_processes_starting_together_migrate_one_after_another(tmp_path: Any) -> None:
    """Four processes (each a fresh interpreter, as uvicorn workers are) upgrade one database at
    once: every one succeeds, because the file lock makes them take turns."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'workers.sqlite'}"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _UPGRADE, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(w.wait(timeout=240), w.stderr.read() if w.stderr else "") for w in workers]
    assert [code for code, _ in outcomes] == [0] * 4, [err[-500:] for _, err in outcomes]


def test_the_web_section_is_part_of_the_one_settings_object(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from medlm.settings import Settings

    monkeypatch.setenv("MEDLM_WEB__LOCKOUT_ATTEMPTS", "3")
    assert Settings().web.lockout_attempts == 3
