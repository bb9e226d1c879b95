"""`medlm serve`: the bound host is the host checked, and several workers get the same settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medlm.cli import serve
from medlm.cli.app import app
from medlm.service.logs import LOG_CONFIG
from medlm.settings import load_settings


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, cli_env: Path) -> list[tuple[Any, dict[str, Any]]]:
    """Record uvicorn.run calls instead of serving; the worker variables are restored after."""
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    for name in ("MEDLM_SERVICE__HOST", "MEDLM_SERVICE__PORT"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_dev_no_auth_switch_is_refused_on_the_bound_non_loopback_host(
    runner: CliRunner, started: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLM_SECURITY__DEV_NO_AUTH_LOOPBACK", "true")
    monkeypatch.setenv("MEDLM_SERVICE__HOST", "127.0.0.1")  # the setting alone would pass
    result = runner.invoke(app, ["serve", "--host", "127.0.0.2", "--port", "8765"])
    assert result.exit_code == 2
    assert "dev_no_auth_loopback" in result.output and "127.0.0.2" in result.output
    assert started == []  # nothing was served


def test_dev_no_auth_switch_is_refused_with_several_workers_too(
    runner: CliRunner, started: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLM_SECURITY__DEV_NO_AUTH_LOOPBACK", "true")
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--workers", "2"])
    assert result.exit_code == 2 and "0.0.0.0" in result.output
    assert started == []


def test_one_worker_serves_the_app_built_in_process_on_the_given_address(
    runner: CliRunner, started: list[tuple[Any, dict[str, Any]]]
) -> None:
    from fastapi import FastAPI

    result = runner.invoke(app, ["serve", "--host", "127.0.0.1", "--port", "8765"])
    assert result.exit_code == 0, result.output
    [(served, options)] = started
    assert isinstance(served, FastAPI) and served.state.settings.service.port == 8765
    assert (options["host"], options["port"]) == ("127.0.0.1", 8765)
    assert "workers" not in options
    assert options["log_config"] is LOG_CONFIG  # access lines without patient ids


def test_several_workers_run_the_factory_with_settings_from_the_environment(
    runner: CliRunner, started: list[tuple[Any, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLM_DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:1/db")
    args = ["serve", "--host", "127.0.0.1", "--port", "8766", "--workers", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    [(served, options)] = started
    assert served == serve.APP_FACTORY == "medlm.service.app:create_app_from_env"
    assert options["factory"] is True and options["workers"] == 3
    assert options["timeout_worker_healthcheck"] == serve.WORKER_HEALTHCHECK_SECONDS > 5
    assert (options["host"], options["port"]) == ("127.0.0.1", 8766)
    worker = load_settings()  # what each worker process builds from the same environment
    assert (worker.service.host, worker.service.port) == ("127.0.0.1", 8766)
    assert options["log_config"] is LOG_CONFIG
    assert "SQLite" not in result.output
    assert "own vital-sign monitor state" not in result.output  # the workers share it
    assert worker.service.freeze_startup_objects  # one app per worker process


def test_several_workers_on_sqlite_start_with_a_warning_naming_postgresql(
    runner: CliRunner, started: list[Any]
) -> None:
    result = runner.invoke(app, ["serve", "--port", "8767", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1
    assert "SQLite" in result.output and "PostgreSQL" in result.output


@pytest.mark.parametrize("args", [["--workers", "0"], ["--port", "0"], ["--port", "70000"]])
def test_out_of_range_workers_or_port_is_a_usage_error(
    runner: CliRunner, started: list[Any], args: list[str]
) -> None:
    result = runner.invoke(app, ["serve", *args])
    assert result.exit_code == 2 and started == []


def test_bound_settings_keep_the_configured_address_when_none_is_given() -> None:
    settings = load_settings()
    assert serve.bound_settings(settings, None, None).service == settings.service
    moved = serve.bound_settings(settings, "::1", 9001).service
    assert (moved.host, moved.port) == ("::1", 9001)
