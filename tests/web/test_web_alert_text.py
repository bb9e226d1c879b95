"""Alert sentences from the alert's fields: translated for the zh_CN board, with the monitor's
English text only as a secondary detail marked lang="en"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.settings import Settings
from medlm.storage.tables.monitor import StoredAlert
from medlm.web import accounts, i18n
from medlm.web.accounts import AccountStore
from medlm.web.components.alert_text import AlertFields, alert_sentence, glucose_level_name
from medlm.web.router import web_router

NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORD = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # test speed only
ZH = partial(i18n.gettext, "zh_CN")
NEWS2_REASON = "level 3: NEWS2 7 (single parameter 3)"
GLUCOSE_REASON = "level 2 hypoglycaemia: glucose 50 mg/dL, capillary (point of care)"


@pytest.mark.parametrize(
    ("fields", "english"),
    [
        (
            AlertFields(signal="news2", kind="escalated", level=3, response="urgent response"),
            "NEWS2 alert escalated to response level 3. Response: urgent response.",
        ),
        (
            AlertFields(signal="glucose", kind="raised", level=5, response="level 2 hypoglycaemia"),
            "Glucose alert raised: level 2 hypoglycaemia.",
        ),
        (
            AlertFields(signal="glucose", kind="rapid-fall", level=0, response="rapid fall"),
            "Glucose falling rapidly: now no glucose alert level.",
        ),
    ],
)
def test_alert_sentence_reads_the_structured_fields(fields: AlertFields, english: str) -> None:
    assert alert_sentence(fields) == english


def test_glucose_rank_names_come_from_the_thresholds_file() -> None:
    assert glucose_level_name(5) == "level 2 hypoglycaemia"
    assert glucose_level_name(0) is None


def test_zh_cn_sentences_have_no_latin_words_but_the_score_name() -> None:
    news2 = AlertFields(signal="news2", kind="raised", level=3, response="urgent response")
    glucose = AlertFields(signal="glucose", kind="raised", level=4, response=None)
    assert alert_sentence(news2, ZH) == "NEWS2警报已发出：响应级别 3。响应：加急响应。"
    assert alert_sentence(glucose, ZH) == "血糖警报已发出：1级低血糖。"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("alert_text")))
    app.include_router(web_router)
    with pytest.MonkeyPatch.context() as patch, TestClient(app):
        patch.setattr(accounts, "PasswordHasher", lambda: FAST)
        engine = app.state.services.engine
        CredentialStore(engine).create_user("nurse", Role.CLINICIAN)
        AccountStore(engine).set_password("nurse", PASSWORD)
        rows = [
            ("ward-1", "news2", 3, "urgent response", NEWS2_REASON),
            ("ward-1", "glucose", 5, "level 2 hypoglycaemia", GLUCOSE_REASON),
        ]
        with engine.begin() as conn:
            for pid, signal, level, response, reason in rows:
                conn.execute(
                    sa.insert(StoredAlert).values(
                        patient_id=pid, time=NOW - timedelta(minutes=5), signal=signal,
                        kind="raised", level=level, previous_level=0, response=response,
                        reason=reason, notify=True, created_at=NOW,
                    )
                )  # fmt: skip
        yield app


def board_html(app: FastAPI, lang: str) -> str:
    client = TestClient(app)
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": "nurse", "password": PASSWORD, "csrf_token": token.group(1), "next": "/"}
    assert client.post("/signin", data=form, follow_redirects=False).status_code == 303
    return client.get(f"/board/table?lang={lang}").text


def _without_english_details(html: str) -> str:
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def test_zh_cn_board_shows_news2_and_glucose_alerts_in_chinese(app: FastAPI) -> None:
    html = board_html(app, "zh_CN")
    assert "NEWS2警报已发出：响应级别 3。响应：加急响应。" in html
    assert "血糖警报已发出：2级低血糖。" in html
    shown = _without_english_details(html)
    assert "urgent response" not in shown and "hypoglycaemia" not in shown


def test_the_monitor_english_text_is_a_detail_marked_english(app: FastAPI) -> None:
    html = board_html(app, "zh_CN")
    assert f'<p lang="en">{NEWS2_REASON}</p>' in html
    assert "监测系统原文（英文）" in html


def test_english_board_shows_the_english_sentence(app: FastAPI) -> None:
    html = board_html(app, "en")
    assert "Glucose alert raised: level 2 hypoglycaemia." in html
