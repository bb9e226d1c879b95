"""The trial page names where its roles came from: headings, the configured model, or nowhere."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.service.deps import get_role_model
from medlm.service.services import role_model, services_of
from medlm.settings import LMSettings, Settings
from medlm.text.abstract_roles import ConfiguredRoleModel
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.router import web_router

UNSTRUCTURED = (
    "Heart failure is common. We aimed to test dapagliflozin. We randomly assigned 4744 "
    "patients to dapagliflozin or placebo. Death occurred less often with dapagliflozin. "
    "Dapagliflozin lowered the risk."
)
STRUCTURED = "BACKGROUND: Heart failure is common.\nRESULTS: Death occurred less often."


@dataclass(frozen=True)
class Prediction:
    role: str
    score: float


class Conclusive:
    """A stand-in role model: every sentence is a conclusion."""

    def predict_abstract(self, sentences: Sequence[str]) -> list[Prediction]:
        return [Prediction("CONCLUSIONS", 0.9) for _ in sentences]


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    app.include_router(web_router)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


class JournalReading(Conclusive):
    """A stand-in role model that reads journals and knows one: with it, every sentence is
    an objective."""

    def knows_journal(self, journal: str) -> bool:
        return journal == "N Engl J Med"

    def predict_abstract(self, sentences: Sequence[str], journal: str = "") -> list[Prediction]:
        role = "OBJECTIVE" if journal else "CONCLUSIONS"
        return [Prediction(role, 0.9) for _ in sentences]


def _post(client: TestClient, app: FastAPI, abstract: str, journal: str | None = None) -> str:
    engine = services_of(app).engine
    CredentialStore(engine).create_user("doc", Role.CLINICIAN)
    session_id, csrf = AccountStore(engine).open_session(
        WebUser(name="doc", role=Role.CLINICIAN), timedelta(hours=1)
    )
    client.cookies.set(SESSION_COOKIE, session_id)
    data = {"abstract": abstract, "csrf_token": csrf}
    if journal is not None:
        data["journal"] = journal
    response = client.post("/trials", data=data)
    assert response.status_code == 200, response.text
    return response.text


def test_an_unstructured_abstract_gets_the_configured_models_roles_and_name(
    app: FastAPI, client: TestClient
) -> None:
    stub = ConfiguredRoleModel("roles-v2 (abstract-level sentence-role model)", Conclusive())
    app.dependency_overrides[get_role_model] = lambda: stub
    html = _post(client, app, UNSTRUCTURED)
    assert "predicted by the sentence-role model roles-v2 (abstract-level" in html
    assert html.count('class="sentence role-conclusions"') == 5


def test_without_a_model_the_page_says_roles_were_not_predicted(
    app: FastAPI, client: TestClient
) -> None:
    html = _post(client, app, UNSTRUCTURED)
    assert "no sentence-role model is configured" in html
    assert html.count('class="sentence role-none"') == 5
    assert "predicted by the sentence-role model" not in html


def test_a_structured_abstract_says_its_roles_came_from_the_headings(
    app: FastAPI, client: TestClient
) -> None:
    app.dependency_overrides[get_role_model] = lambda: ConfiguredRoleModel("m", Conclusive())
    html = _post(client, app, STRUCTURED)
    assert "section headings; sentences before any heading have none" in html
    assert 'class="sentence role-background"' in html


def test_a_configured_folder_that_does_not_load_is_logged_and_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert role_model(Settings(data_dir=tmp_path)) is None
    broken = Settings(data_dir=tmp_path, lm=LMSettings(sentence_role_model=tmp_path / "gone"))
    with caplog.at_level(logging.ERROR, logger="medlm.service.services"):
        assert role_model(broken) is None
    assert "sentence-role model not loaded" in caplog.text and "gone" in caplog.text


@pytest.fixture
def journal_reading(app: FastAPI) -> FastAPI:
    """The app with a stand-in role model that reads journals (knows "N Engl J Med")."""
    stub = ConfiguredRoleModel("roles-v3 (abstract-level sentence-role model)", JournalReading())
    app.dependency_overrides[get_role_model] = lambda: stub
    return app


def test_a_journal_typed_on_the_page_is_read_when_the_model_knows_it(
    journal_reading: FastAPI, client: TestClient
) -> None:
    html = _post(client, journal_reading, UNSTRUCTURED, journal=" N Engl J Med ")
    assert "The model read the journal N Engl J Med." in html
    assert html.count('class="sentence role-objective"') == 5
    assert 'value="N Engl J Med"' in html  # the form keeps what was typed


def test_a_journal_the_model_does_not_know_is_said_not_read(
    journal_reading: FastAPI, client: TestClient
) -> None:
    html = _post(client, journal_reading, UNSTRUCTURED, journal="Unheard Of J")
    assert "The journal Unheard Of J was not read" in html
    assert html.count('class="sentence role-conclusions"') == 5
