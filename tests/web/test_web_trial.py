"""The trial-report page: an abstract's sentences with their roles and the extracted facts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.components.trial_view import NO_ROLE, roled_sentences
from medlm.web.router import web_router

ABSTRACT = """Dapagliflozin in heart failure: a randomized trial
BACKGROUND: Heart failure is common. Few drugs help.
DESIGN, SETTING, AND PARTICIPANTS: We randomly assigned 4744 patients with heart failure to \
dapagliflozin or placebo.
RESULTS: The primary outcome occurred less often (hazard ratio 0.74; 95% CI 0.65 to 0.85; P<0.001).
CONCLUSIONS AND RELEVANCE: Dapagliflozin lowered the risk."""


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    app.include_router(web_router)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _sign_in(client: TestClient, app: FastAPI) -> str:
    engine = services_of(app).engine
    CredentialStore(engine).create_user("doc", Role.CLINICIAN)
    session_id, csrf = AccountStore(engine).open_session(
        WebUser(name="doc", role=Role.CLINICIAN), timedelta(hours=1)
    )
    client.cookies.set(SESSION_COOKIE, session_id)
    return csrf


def test_sentences_take_the_role_of_their_heading_and_the_title_has_none() -> None:
    roles = [(s.role, s.text.split()[0]) for s in roled_sentences(ABSTRACT)]
    assert roles == [
        (NO_ROLE, "Dapagliflozin"),
        ("BACKGROUND", "BACKGROUND:"),
        ("BACKGROUND", "Few"),
        ("METHODS", "DESIGN,"),
        ("RESULTS", "RESULTS:"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]


def test_trial_page_shows_roles_and_facts(app: FastAPI, client: TestClient) -> None:
    csrf = _sign_in(client, app)
    assert 'name="abstract"' in client.get("/trials").text
    response = client.post("/trials", data={"abstract": ABSTRACT, "csrf_token": csrf})
    assert response.status_code == 200, response.text
    html = response.text
    assert re.search(r'class="sentence role-results"><span class="role">RESULTS</span>', html)
    assert re.search(r"Sample size</th><td>4,744</td>", html)
    assert "Dapagliflozin</td>" in html and "placebo</td>" in html
    assert "0.74 (95% CI 0.65–0.85), p&lt;0.001" in html


def test_trial_form_without_csrf_token_is_refused(app: FastAPI, client: TestClient) -> None:
    _sign_in(client, app)
    response = client.post("/trials", data={"abstract": ABSTRACT})
    assert response.status_code == 403


def test_empty_abstract_answers_422_naming_the_field(app: FastAPI, client: TestClient) -> None:
    csrf = _sign_in(client, app)
    response = client.post("/trials", data={"abstract": "  ", "csrf_token": csrf})
    assert response.status_code == 422
    assert "abstract" in response.text and "empty" in response.text
