"""`create_app(settings)`: the FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from medlm import DISCLAIMER, __version__
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
    """Build the app; models and connections are created in `lifespan`, never at import."""

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
    app.include_router(health.router)
    for capability in (records, vitals, risk, treatment, text, privacy, cds_hooks):
        app.include_router(capability.router)
    return app
