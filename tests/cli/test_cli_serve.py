"""`medlm serve`: the bound host is the host checked, and several workers get the same settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medlm.cli import serve
from medlm.cli.app import app
from medlm.service.logs import LOG_CONFIG
from medlm.settings import load_settings
from medlm.storage.engine import make_engine


@pytest.fixture
def started(
    monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """Record uvicorn.run calls instead of serving. `serve --workers` writes the worker
    variables into os.environ; they are removed before and restored after each test (a
    leaked port would change later tests' CDS audience)."""
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    names = list(serve.worker_environment(load_settings()))
    saved = {name: os.environ.pop(name, None) for name in names}
    yield calls
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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
    bound = serve.bound_settings(settings, None, None).service
    assert (bound.host, bound.port) == (settings.service.host, settings.service.port)
    assert bound.freeze_startup_objects  # one app per served process
    moved = serve.bound_settings(settings, "::1", 9001).service
    assert (moved.host, moved.port) == ("::1", 9001)


def _no_simulator(*_: object) -> str:
    raise ImportError("No module named 'simglucose'")


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo data directory; glucose is left out (the simulator is slow) and hashing is fast."""
    from argon2 import PasswordHasher

    from medlm.web import accounts, demo_data

    monkeypatch.setattr(demo_data, "_seed_glucose", _no_simulator)
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # test speed only
    monkeypatch.setattr(accounts, "PasswordHasher", lambda: fast)
    return tmp_path / "demo-web"


def _printed_password(output: str) -> str:
    [line] = [line for line in output.splitlines() if line.strip().startswith("password:")]
    return line.split(":", 1)[1].strip()


def test_demo_seeds_the_data_dir_and_serves_it_on_loopback_with_a_printed_password(
    runner: CliRunner, started: list[tuple[Any, dict[str, Any]]], demo_dir: Path
) -> None:
    from medlm.web.accounts import AccountStore
    from medlm.web.demo_data import demo_settings

    result = runner.invoke(app, ["serve", "--demo", "--data-dir", str(demo_dir), "--port", "8771"])
    assert result.exit_code == 0, result.output
    [(served, options)] = started
    settings = served.state.settings
    assert options["host"] == "127.0.0.1" and settings.data_dir == demo_dir
    assert settings.security.encryption_key_file == demo_dir / "keys.json"
    assert (demo_dir / "keys.json").is_file() and (demo_dir / "medlm.sqlite").is_file()
    assert "http://127.0.0.1:8771/" in result.output and "user:     demo" in result.output
    assert "SYNTHETIC" in result.output and "Pima" in result.output
    assert "http://127.0.0.1:8771/patients/pima-" in result.output  # charts of the records
    assert "simulator is not installed" in result.output
    password = _printed_password(result.output)
    assert result.output.count(password) == 1  # shown once
    engine = make_engine(demo_settings(load_settings(), demo_dir))
    try:
        user = AccountStore(engine).authenticate(
            "demo", password, attempts=5, lockout=timedelta(minutes=1)
        )
        assert user.name == "demo"
    finally:
        engine.dispose()


def test_a_second_demo_start_reuses_the_data_with_a_new_password(
    runner: CliRunner, started: list[Any], demo_dir: Path
) -> None:
    args = ["serve", "--demo", "--data-dir", str(demo_dir)]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "created" in first.output and "reused" in second.output
    assert _printed_password(first.output) != _printed_password(second.output)
    assert len(started) == 2


@pytest.mark.parametrize("args", [["--host", "0.0.0.0"], ["--workers", "2"]])
def test_demo_refuses_another_host_or_several_workers(
    runner: CliRunner, started: list[Any], demo_dir: Path, args: list[str]
) -> None:
    result = runner.invoke(app, ["serve", "--demo", "--data-dir", str(demo_dir), *args])
    assert result.exit_code != 0 and "--demo" in result.output
    assert started == [] and not demo_dir.exists()


def test_serve_help_documents_the_demo_command(runner: CliRunner) -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "medlm serve --demo" in result.output
