"""`web_router`: every page router of the web app, and its static files at `/static/`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from medlm.web.routes import board, chart, imports, signin, trial

STATIC_DIR = Path(__file__).parent / "static"
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}

static_router = APIRouter()


@static_router.get("/static/{path:path}", include_in_schema=False)
def static_file(path: str) -> FileResponse:
    """A vendored or own static file (only files under `web/static/`; no listing)."""
    root = STATIC_DIR.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.suffix not in _MEDIA_TYPES:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(
        target,
        media_type=_MEDIA_TYPES[target.suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )


web_router = APIRouter(include_in_schema=False)
web_router.include_router(static_router)
web_router.include_router(signin.router)
web_router.include_router(board.router)
web_router.include_router(chart.router)
web_router.include_router(trial.router)
web_router.include_router(imports.router)
