"""Serve the service app with the web pages included, as `medlm serve` does once `create_app`
includes `web_router` (used by the browser tests only until then).

Usage: python serve_web.py --host 127.0.0.1 --port PORT (settings from the MEDLM_* environment).
"""

from __future__ import annotations

import argparse


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
    if not any(getattr(route, "path", "") == "/signin" for route in app.routes):
        app.include_router(web_router)
    uvicorn.run(app, **_uvicorn_options(settings))


if __name__ == "__main__":
    main()
