"""`medlm serve`: run the HTTP service with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from medlm.settings import load_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the medlm HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from medlm.service.app import create_app

    settings = load_settings()
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.service.host,
        port=port or settings.service.port,
        log_level="info",
    )
