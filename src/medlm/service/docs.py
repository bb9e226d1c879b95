"""The interactive API documentation: `/docs` from vendored Swagger UI, and the OpenAPI security
scheme that gives it an Authorize button.

Swagger UI's script, stylesheet and icon are served by the app itself from
`static/swagger-ui/` (see its VENDORED.md), so `/docs` works offline and references no other
host. The OpenAPI schema declares one HTTP bearer scheme (a medlm API key or a JWT) and marks
every operation the authentication guard protects (`/v1/...` and CDS hook calls) as needing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from medlm.service.auth import CDS_PREFIX, PROTECTED_PREFIX

STATIC_DIR = Path(__file__).parent / "static" / "swagger-ui"
STATIC_URL = "/static/swagger-ui"
SCHEME = "bearer"
SECURITY_SCHEMES: dict[str, Any] = {
    SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "A medlm API key (`mlk_...`, from `medlm tokens create USER`) or a JWT "
        "(`medlm tokens create USER --kind jwt`); CDS hook calls also accept a trusted CDS "
        "client's JWT.",
    }
}


def _guarded(path: str, method: str) -> bool:
    """Whether the authentication guard protects this operation (the guard's own rule)."""
    if path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/"):
        return True
    return method.lower() == "post" and path.startswith(CDS_PREFIX + "/")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema with the bearer scheme and per-operation security."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = FastAPI.openapi(app)  # FastAPI's own schema (cached on the app), amended below
    schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and _guarded(path, method):
                operation["security"] = [{SCHEME: []}]
    app.openapi_schema = schema
    return schema


def install_docs(app: FastAPI) -> None:
    """Serve `/docs` with local assets and declare the security scheme (create the app with
    `docs_url=None`)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="swagger-ui")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API documentation",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )
