"""`create_app(settings)`: the FastAPI application factory (and `create_app_from_env` for
uvicorn's `--factory` with several workers)."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from medlm import DISCLAIMER, __version__
from medlm.privacy.auth import Role
from medlm.service.auth import (
    check_dev_switch,
    install_guard,
    redact_validation_error,
    require_roles,
)
from medlm.service.docs import install_docs
from medlm.service.limits import install_limits
from medlm.service.responses import GUARDED, IDENTIFIED, errors
from medlm.service.routers import (
    cds_hooks,
    glucose,
    health,
    privacy,
    records,
    risk,
    text,
    treatment,
    vitals,
)
from medlm.service.services import services_of
from medlm.settings import Settings, load_settings
from medlm.web.router import web_router

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the app's services (one engine, migrations once, models loaded) before serving;
    dispose the engine at shutdown."""
    services = await run_in_threadpool(services_of, app)
    if services.settings.service.freeze_startup_objects:
        # What start-up loaded (models, vocabularies) lives as long as the process: out of the
        # collector's reach, full collections no longer pause requests for 0.3-0.8 s walking it.
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        app.state.services = None
        services.close()


def create_app(settings: Settings) -> FastAPI:
    """Build the app; services are built in `lifespan` (`medlm.service.services`), never at
    import or in routers.

    Every `/v1` request needs a bearer token (see `medlm.service.auth`); researchers reach only
    the privacy router (de-identified outputs), other `/v1` routers need clinician or admin.
    """
    check_dev_switch(settings)
    app = FastAPI(
        title=settings.service.title,
        version=__version__,
        description=f"medlm HTTP API. {DISCLAIMER}",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.services = None
    app.state.services_lock = threading.Lock()
    install_guard(app)
    app.add_exception_handler(RequestValidationError, redact_validation_error)
    identified = [require_roles([Role.CLINICIAN, Role.ADMIN])]
    app.include_router(health.router)
    app.include_router(privacy.router, responses=errors(*GUARDED))
    app.include_router(cds_hooks.router)  # outside /v1: hook calls are guarded (CDS client JWTs)
    for capability in (records, vitals, glucose, risk, treatment, text):
        app.include_router(
            capability.router, dependencies=identified, responses=errors(*IDENTIFIED)
        )
    install_docs(app)  # mounts /static/swagger-ui before the web app's /static/{path} route
    app.include_router(web_router)  # the web app at /: its own sign-in sessions (medlm.web.auth)
    install_limits(app, settings.limits)  # outermost: oversized bodies are refused first
    return app


def create_app_from_env() -> FastAPI:
    """The app with Settings from the environment (`MEDLM_*`, `MEDLM_CONFIG`): the factory each
    uvicorn worker calls (`uvicorn --factory medlm.service.app:create_app_from_env`)."""
    return create_app(load_settings())
