"""`medlm serve`: run the HTTP service with uvicorn, in one process or in several workers.

One worker serves the app built here from the loaded settings. With `--workers N` (N > 1)
uvicorn starts N processes that each build the app with `create_app_from_env()`: the settings
reach them through the environment (`MEDLM_*` variables and `MEDLM_CONFIG`), and the host and
port given on the command line are written there too, so every worker builds the same Settings
and checks the development no-auth switch against the address actually bound.

The workers share one monitor state through the database (`medlm.storage.tables.monitor_state`):
a patient's alerts are the same whichever worker gets each set, and an acknowledgement taken by
one worker holds in all.

`medlm serve --demo` serves the web app on demo data (`medlm.web.demo_data`): it creates, or
reuses, a data directory with its own key ring, SQLite database and risk model, a clinician `demo`
with a fresh password printed once, and demo patients; it binds 127.0.0.1 only.

PostgreSQL (`MEDLM_DATABASE_URL`) is the production path for several workers. SQLite works with
several processes (WAL journal, one writer at a time through the file lock) but writes wait for
each other, and a write that waits longer than the driver's busy timeout fails: a warning says so.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from medlm.cli import render
from medlm.settings import Settings, load_settings

if TYPE_CHECKING:
    from medlm.web.demo_data import DemoSeed

logger = logging.getLogger(__name__)

APP_FACTORY = "medlm.service.app:create_app_from_env"
"""Import string of the app factory each worker process calls (uvicorn `factory=True`)."""
WORKER_HEALTHCHECK_SECONDS = 60
"""uvicorn's default (5 s) kills workers that are still importing the models' libraries (torch,
transformers take several seconds per process on a small machine), so they restart forever."""
DEMO_DATA_DIR = Path("demo-output/web")
"""Where `medlm serve --demo` keeps its data by default (inside the folder `medlm demo` writes)."""


def bound_settings(settings: Settings, host: str | None, port: int | None) -> Settings:
    """`settings` with the service host and port replaced by those given on the command line."""
    service = settings.service.model_copy(
        update={
            "host": host or settings.service.host,
            "port": port or settings.service.port,
            "freeze_startup_objects": True,  # one app per process: see ServiceSettings
        }
    )
    return settings.model_copy(update={"service": service})


def worker_environment(settings: Settings) -> dict[str, str]:
    """The variables that carry the command line's choices to each worker's Settings."""
    return {
        "MEDLM_SERVICE__HOST": settings.service.host,
        "MEDLM_SERVICE__PORT": str(settings.service.port),
        "MEDLM_SERVICE__FREEZE_STARTUP_OBJECTS": str(settings.service.freeze_startup_objects),
    }


def uses_sqlite(settings: Settings) -> bool:
    return settings.database_url.startswith("sqlite")


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Options shared by the one-process and the multi-worker start; the logging configuration
    keeps patient ids out of the access log's request lines."""
    from medlm.service.logs import LOG_CONFIG

    return {
        "host": settings.service.host,
        "port": settings.service.port,
        "log_level": "info",
        "log_config": LOG_CONFIG,
    }


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default: settings).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default from settings).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes (uvicorn). Above 1, use PostgreSQL in production; "
            "SQLite works but its writes wait for each other.",
        ),
    ] = 1,
    worker_healthcheck: Annotated[
        int,
        typer.Option(
            "--worker-healthcheck-seconds",
            min=1,
            help="With several workers: how long a worker may take to start or to answer the "
            "supervisor's health check before it is replaced.",
        ),
    ] = WORKER_HEALTHCHECK_SECONDS,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve the web app on demo data (SYNTHETIC scenarios, packaged Pima rows) in "
            "--data-dir, on 127.0.0.1 only, with a user 'demo' whose new password is printed.",
        ),
    ] = False,
    data_dir: Annotated[
        Path, typer.Option(help="With --demo: the demo's data directory (reused when present).")
    ] = DEMO_DATA_DIR,
) -> None:
    """Serve the medlm HTTP API (OpenAPI docs at /docs) and the web app at /.

    `medlm serve --demo` opens the web app on demo data with one command."""
    import uvicorn

    from medlm.service.auth import check_dev_switch

    if demo:
        _serve_demo(data_dir, host, port, workers)
        return
    settings = bound_settings(load_settings(), host, port)
    check_dev_switch(settings, settings.service.host)  # the host bound below
    options = _uvicorn_options(settings)
    if workers == 1:
        from medlm.service.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    if uses_sqlite(settings):
        render.stderr().print(
            f"warning: {workers} workers on SQLite: writes wait for each other (one writer at "
            "a time) and fail after the busy timeout under heavy load; set MEDLM_DATABASE_URL "
            "to PostgreSQL in production",
            markup=False,
        )
    os.environ.update(worker_environment(settings))
    logger.info("starting %d workers on %s", workers, settings.service.host)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=worker_healthcheck,
        **options,
    )


def _serve_demo(data_dir: Path, host: str | None, port: int | None, workers: int) -> None:
    """Seed (or reuse) the demo data directory, print how to sign in, and serve on loopback."""
    import uvicorn

    from medlm.errors import InputError
    from medlm.service.app import create_app
    from medlm.web.demo_data import DEMO_HOST, demo_settings, seed_demo

    if host not in (None, DEMO_HOST):
        raise InputError(f"serve --demo: binds {DEMO_HOST} only, not --host {host!r}")
    if workers != 1:
        raise InputError(f"serve --demo: runs one worker, not --workers {workers}")
    settings = bound_settings(demo_settings(load_settings(), data_dir), DEMO_HOST, port)
    console = render.stdout()
    with console.status("Preparing the demo data ..."):
        seed = seed_demo(settings)
    _print_demo(seed, f"http://{DEMO_HOST}:{settings.service.port}/")
    uvicorn.run(create_app(settings), **_uvicorn_options(settings))


def _print_demo(seed: DemoSeed, url: str) -> None:
    """How to open the demo: the URL, the user and its password (shown this once)."""
    console = render.stdout()
    state = "reused" if seed.reused else "created"
    console.print(f"Demo data {state} in {seed.data_dir.resolve()}", highlight=False)
    console.print(
        f"  {len(seed.scenario_patients)} monitored patients: SYNTHETIC deterioration scenarios "
        "(made up by medlm, not clinical evidence)",
        highlight=False,
    )
    console.print(
        f"  {len(seed.record_patients)} patient records: rows of the packaged Pima dataset with "
        "a problem, a medication and a note added for display; their charts:",
        highlight=False,
    )
    for patient_id in seed.record_patients:
        console.print(f"    {url}patients/{patient_id}", highlight=False)
    if seed.glucose_patient is not None:
        console.print(f"  SYNTHETIC CGM readings for {seed.glucose_patient}", highlight=False)
    if seed.glucose_note is not None:
        console.print(f"  note: {seed.glucose_note}", highlight=False)
    console.print(f"  risk model fitted on the packaged Pima data: {seed.risk_model}")
    console.print(f"\nOpen {url}", highlight=False)
    console.print(f"  user:     {seed.user}", highlight=False)
    console.print(f"  password: {seed.password.get_secret_value()}", highlight=False, markup=False)
    console.print("  (a new password at each start; the previous one no longer works)")
