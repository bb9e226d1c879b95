"""`create_app(settings)`: the FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from medlm import DISCLAIMER, __version__
from medlm.privacy.auth import Role
from medlm.service.auth import (
    SecurityState,
    check_dev_switch,
    install_guard,
    redact_validation_error,
    require_roles,
)
from medlm.service.routers import (
    cds_hooks,
    health,
    privacy,
    records,
    risk,
    text,
    treatment,
    vitals,
)
from medlm.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the app; models and connections are created in `lifespan`, never at import.

    Every `/v1` request needs a bearer token (see `medlm.service.auth`); researchers reach only
    the privacy router (de-identified outputs), other `/v1` routers need clinician or admin.
    """
    check_dev_switch(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        yield

    app = FastAPI(
        title=settings.service.title,
        version=__version__,
        description=f"medlm HTTP API. {DISCLAIMER}",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.security = SecurityState(settings)
    install_guard(app, app.state.security)
    app.add_exception_handler(RequestValidationError, redact_validation_error)
    identified = [require_roles([Role.CLINICIAN, Role.ADMIN])]
    app.include_router(health.router)
    app.include_router(privacy.router)
    app.include_router(cds_hooks.router)  # outside /v1: hook calls are guarded (CDS client JWTs)
    for capability in (records, vitals, risk, treatment, text):
        app.include_router(capability.router, dependencies=identified)
    return app
