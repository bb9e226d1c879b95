"""The clinician's web app: server-rendered pages (Jinja2 + htmx) served by `medlm serve` at `/`.

`medlm.web.router.web_router` holds every page router; the service app includes it.
"""
