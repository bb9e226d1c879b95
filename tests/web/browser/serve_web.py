"""Serve the service app with the web pages included, as `medlm serve` does once `create_app`
includes `web_router` (used by the browser tests only until then). A page module under
`medlm.web.routes` that `web_router` does not include yet is included too, so its tests run
before it is wired in.

Usage: python serve_web.py --host 127.0.0.1 --port PORT (settings from the MEDLM_* environment).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any


def _walk(routes: list[Any]) -> Iterator[Any]:
    """Every concrete route; FastAPI >= 0.16x keeps included routers as lazy branches."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        yield from (contexts() if callable(contexts) else [route])


def _unwired_page_routers(served: set[str]) -> list[Any]:
    """Routers of `medlm.web.routes.*` modules none of whose paths are served yet."""
    import medlm.web.routes as routes

    found = []
    for info in pkgutil.iter_modules(routes.__path__):
        router = getattr(importlib.import_module(f"{routes.__name__}.{info.name}"), "router", None)
        paths = {getattr(r, "path", "") for r in _walk(getattr(router, "routes", []))}
        if router is not None and paths and not paths & served:
            found.append(router)
    return found


def main() -> None:
    import uvicorn

    from medlm.cli.serve import _uvicorn_options, bound_settings
    from medlm.service.app import create_app
    from medlm.settings import load_settings
    from medlm.web.router import web_router

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = bound_settings(load_settings(), args.host, args.port)
    app = create_app(settings)
    if not any(getattr(route, "path", "") == "/signin" for route in _walk(app.routes)):
        app.include_router(web_router)
    for router in _unwired_page_routers({getattr(r, "path", "") for r in _walk(app.routes)}):
        app.include_router(router)
    uvicorn.run(app, **_uvicorn_options(settings))


if __name__ == "__main__":
    main()
