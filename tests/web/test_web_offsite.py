"""No page of the web app refers to another host (fast, without a browser): every GET page,
signed out and signed in, in English and Chinese, and every template and own stylesheet."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import medlm.web.routes as page_routes
from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.records import Patient, PatientRecord, Sex
from medlm.records.fhir import to_bundle
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.router import web_router

WEB = Path(__file__).parents[2] / "src" / "medlm" / "web"
PATIENT = "offsite-1"
# A URL with a scheme or a protocol-relative one in an attribute or a CSS url(); SVG's xmlns
# namespace names are identifiers, never fetched.
OFFSITE = re.compile(
    r"""(?:\b(?:src|href|action|formaction|srcset|poster|data|ping|manifest|hx-get|hx-post|"""
    r"""sse-connect)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])(?:[a-z][a-z0-9+.-]*:)?//""",
    re.IGNORECASE,
)
SKIPPED_PREFIXES = ("/v1", "/static", "/health", "/docs", "/openapi", "/cds-services", "/redoc")
STREAMS = {"/board/events"}


def offsite_references(html: str) -> list[str]:
    """The places in `html` that would make a browser reach for another host."""
    return [html[max(0, m.start() - 40) : m.end() + 40] for m in OFFSITE.finditer(html)]


def _walk(routes: list[Any]) -> Iterator[Any]:
    """Every concrete route; FastAPI >= 0.16x keeps included routers as lazy branches."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        yield from (contexts() if callable(contexts) else [route])


def build_app(settings: Settings) -> FastAPI:
    """The service app with the web pages: `web_router`, plus any page module not wired in yet."""
    app = create_app(settings)
    if not any(getattr(r, "path", "") == "/signin" for r in _walk(app.routes)):
        app.include_router(web_router)
    served = {getattr(r, "path", "") for r in _walk(app.routes)}
    for info in pkgutil.iter_modules(page_routes.__path__):
        module = importlib.import_module(f"{page_routes.__name__}.{info.name}")
        router = getattr(module, "router", None)
        paths = {getattr(r, "path", "") for r in _walk(getattr(router, "routes", []))}
        if router is not None and paths and not paths & served:
            app.include_router(router)
    return app


def page_paths(app: FastAPI) -> list[str]:
    """Every GET page of the web app, with the test patient's id in path parameters."""
    paths = set()
    for route in _walk(app.routes):
        path = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or ()):
            continue
        if path.startswith(SKIPPED_PREFIXES) or path in STREAMS:
            continue
        paths.add(re.sub(r"\{patient_id\}", PATIENT, path))
    return sorted(p for p in paths if "{" not in p)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return build_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _sign_in(app: FastAPI, client: TestClient) -> None:
    engine = services_of(app).engine
    CredentialStore(engine).create_user("offsite-nurse", Role.CLINICIAN)
    session_id, _csrf = AccountStore(engine).open_session(
        WebUser(name="offsite-nurse", role=Role.CLINICIAN), timedelta(hours=1)
    )
    client.cookies.set(SESSION_COOKIE, session_id)


def test_pattern_finds_offsite_references_and_ignores_local_ones() -> None:
    bad = [
        '<script src="https://cdn.example.org/htmx.js">',
        "<link href='//fonts.example.com/x.css' rel=stylesheet>",
        "<style>body{background:url(http://example.org/a.png)}</style>",
        '<form action="http://evil.example/signin">',
        '<div sse-connect="https://example.org/events">',
    ]
    good = (
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="/patients/p1"></a></svg><p>http://x</p>'
    )
    assert all(offsite_references(b) for b in bad)
    assert offsite_references(good) == []


def test_signed_out_root_answers_a_sign_in_page_loading_nothing_from_another_host(
    client: TestClient,
) -> None:
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200 and response.url.path == "/signin"
    assert 'action="/signin"' in response.text
    assert offsite_references(response.text) == []


def test_sign_in_page_is_in_chinese_with_accept_language_zh_cn(client: TestClient) -> None:
    response = client.get("/", headers={"Accept-Language": "zh-CN"}, follow_redirects=True)
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.text and "登录" in response.text
    assert ">Sign in<" not in response.text


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_no_signed_in_page_refers_to_another_host(
    app: FastAPI, client: TestClient, language: str
) -> None:
    record = PatientRecord(patient=Patient(id=PATIENT, age=70, sex=Sex.MALE))
    assert client.post("/v1/records/ingest", json=to_bundle([record])).status_code == 200
    _sign_in(app, client)
    paths = page_paths(app)
    assert {"/", "/signin", f"/patients/{PATIENT}"} <= set(paths)
    for path in paths:
        response = client.get(path, headers={"Accept-Language": language})
        assert response.status_code < 500, (path, response.status_code)
        assert offsite_references(response.text) == [], path


@pytest.mark.parametrize(
    "path",
    sorted(p for p in WEB.rglob("*") if p.suffix in {".html", ".css"} and "vendor" not in p.parts),
    ids=lambda p: str(p.relative_to(WEB)),
)
def test_no_template_or_own_stylesheet_refers_to_another_host(path: Path) -> None:
    assert offsite_references(path.read_text(encoding="utf-8")) == []
