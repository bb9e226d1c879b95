"""Sign-in and sign-out: the page without a session, cookie flags, generic errors, lockout,
the sign-in CSRF check, safe redirects and no asset from another host."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.settings import Settings
from medlm.web import accounts
from medlm.web.accounts import AccountStore
from medlm.web.router import web_router

PASSWORD = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # test speed only
FAILED = "Sign-in failed"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("signin")))
    app.include_router(web_router)
    with pytest.MonkeyPatch.context() as patch, TestClient(app):
        patch.setattr(accounts, "PasswordHasher", lambda: FAST)
        engine = app.state.services.engine
        for name in ("ana", "ben", "cy", "dee"):
            CredentialStore(engine).create_user(name, Role.CLINICIAN)
            AccountStore(engine).set_password(name, PASSWORD)
        yield app


def attempt(
    client: TestClient, name: str, password: str, next_url: str = "/"
) -> tuple[int, str, str]:
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": name, "password": password, "csrf_token": token.group(1), "next": next_url}
    response = client.post("/signin", data=form, follow_redirects=False)
    return response.status_code, response.headers.get("location", ""), response.text


def test_root_without_a_session_answers_the_sign_in_page(app: FastAPI) -> None:
    response = TestClient(app).get("/")
    assert response.status_code == 200 and str(response.url).endswith("/signin?next=/")
    assert 'name="password"' in response.text and '<html lang="en">' in response.text


def test_sign_in_page_loads_nothing_from_another_host(app: FastAPI) -> None:
    html = TestClient(app).get("/signin").text
    assert (
        "http://" not in html
        and "https://" not in html
        and "//"
        not in html.replace("<!doctype html>", "").split("<body>")[0].replace("/static/", "")
    )
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith(("/", "?", "#")), src


def test_sign_in_page_is_in_chinese_for_accept_language_zh_cn(app: FastAPI) -> None:
    html = TestClient(app).get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert '<html lang="zh-CN">' in html and "登录" in html and "Sign in" not in html


def test_successful_sign_in_sets_a_strict_http_only_session_cookie(app: FastAPI) -> None:
    client = TestClient(app)
    status, location, _ = attempt(client, "ana", PASSWORD, next_url="/board/table")
    assert status == 303 and location == "/board/table"
    cookie = next(
        h for h in client.cookies.jar if h.name == "medlm_session"
    )  # the cookie as the browser keeps it
    assert cookie.has_nonstandard_attr("HttpOnly") and not cookie.secure
    assert client.get("/").status_code == 200 and "Sign out" in client.get("/").text


def test_session_cookie_is_secure_over_https(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": "ana", "password": PASSWORD, "csrf_token": token.group(1)}
    response = client.post("/signin", data=form, follow_redirects=False)
    header = response.headers["set-cookie"].lower()
    assert "medlm_session=" in header and "secure" in header
    assert "httponly" in header and "samesite=strict" in header


def test_wrong_password_and_unknown_user_get_the_same_message(app: FastAPI) -> None:
    wrong = attempt(TestClient(app), "ben", "not the password")
    unknown = attempt(TestClient(app), "nobody-here", "not the password")
    assert wrong[0] == unknown[0] == 401
    assert FAILED in wrong[2] and FAILED in unknown[2]
    assert re.sub(r'value="[^"]*"', "", wrong[2]) == re.sub(r'value="[^"]*"', "", unknown[2])


def test_repeated_failures_lock_the_name_even_for_the_right_password(app: FastAPI) -> None:
    client = TestClient(app)
    for _ in range(5):
        assert attempt(client, "cy", "guess")[0] == 401
    status, _, body = attempt(client, "cy", PASSWORD)
    assert status == 401 and FAILED in body
    assert attempt(client, "dee", PASSWORD)[0] == 303  # other names are not locked


def test_sign_in_without_the_form_token_is_refused(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/signin")
    form = {"username": "ana", "password": PASSWORD, "csrf_token": "forged"}
    assert client.post("/signin", data=form, follow_redirects=False).status_code == 403


def test_next_pointing_to_another_host_is_ignored(app: FastAPI) -> None:
    status, location, _ = attempt(TestClient(app), "dee", PASSWORD, next_url="//evil.example/")
    assert status == 303 and location == "/"


def test_sign_out_ends_the_session(app: FastAPI) -> None:
    client = TestClient(app)
    attempt(client, "ana", PASSWORD)
    page = client.get("/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    old_cookie = client.cookies.get("medlm_session")
    response = client.post("/signout", data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    replay = TestClient(app, cookies={"medlm_session": old_cookie or ""})
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_sign_out_without_the_csrf_token_is_a_403(app: FastAPI) -> None:
    client = TestClient(app)
    attempt(client, "ana", PASSWORD)
    assert client.post("/signout", data={}, follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200
