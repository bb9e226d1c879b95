"""Web accounts: argon2id password hashes, hashed session ids, idle timeout and expiry,
lockout, and `medlm users create --password-stdin` / `medlm users password`."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from typer.testing import CliRunner

from medlm.cli.app import app as cli_app
from medlm.errors import InputError
from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade
from medlm.storage.tables.web import WebPassword, WebSession
from medlm.web.accounts import AccountStore, SignInError, WebUser
from medlm.web.auth import WebSettings

PASSWORD = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # test speed only


def authenticate(
    store: AccountStore,
    name: str,
    password: str,
    attempts: int = 3,
    lockout: timedelta = timedelta(minutes=15),
) -> WebUser:
    return store.authenticate(name, password, attempts=attempts, lockout=lockout)


@pytest.fixture
def store(settings: Settings) -> AccountStore:
    engine = make_engine(settings)
    upgrade(engine)
    CredentialStore(engine).create_user("ana", Role.CLINICIAN)
    accounts = AccountStore(engine, hasher=FAST)
    accounts.set_password("ana", PASSWORD)
    return accounts


def test_password_is_stored_as_an_argon2id_hash(settings: Settings) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    CredentialStore(engine).create_user("ana", Role.CLINICIAN)
    AccountStore(engine).set_password("ana", PASSWORD)  # the default hasher
    with engine.connect() as conn:
        digest = conn.execute(sa.select(WebPassword.password_hash)).scalar_one()
    assert digest.startswith("$argon2id$") and PASSWORD not in digest


def test_right_password_signs_in_and_wrong_one_does_not(store: AccountStore) -> None:
    assert authenticate(store, "ana", PASSWORD) == WebUser(name="ana", role=Role.CLINICIAN)
    with pytest.raises(SignInError):
        authenticate(store, "ana", "wrong password")


@pytest.mark.parametrize(("name", "password"), [("ana", "short"), ("nobody", PASSWORD)])
def test_short_password_or_unknown_user_is_an_input_error(
    store: AccountStore, name: str, password: str
) -> None:
    with pytest.raises(InputError):
        store.set_password(name, password)


def test_lockout_after_failures_ends_after_its_time(store: AccountStore) -> None:
    short = timedelta(milliseconds=50)
    for _ in range(2):
        with pytest.raises(SignInError):
            authenticate(store, "ana", "wrong password", attempts=2, lockout=short)
    with pytest.raises(SignInError):
        authenticate(store, "ana", PASSWORD, attempts=2, lockout=short)
    time.sleep(0.1)
    assert authenticate(store, "ana", PASSWORD, attempts=2, lockout=short).name == "ana"


def test_only_the_hash_of_a_session_id_is_stored(store: AccountStore) -> None:
    session_id, csrf = store.open_session(WebUser(name="ana", role=Role.CLINICIAN), timedelta(1))
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(WebSession.id_hash)).scalar_one()
    assert stored != session_id and len(stored) == 64
    info = store.resume_session(session_id, timedelta(minutes=15))
    assert info is not None and info.user.name == "ana" and info.csrf_token == csrf


def test_idle_session_is_signed_out_and_removed(store: AccountStore) -> None:
    session_id, _ = store.open_session(WebUser(name="ana", role=Role.CLINICIAN), timedelta(1))
    assert store.resume_session(session_id, timedelta(0)) is None
    assert store.resume_session(session_id, timedelta(minutes=15)) is None


def test_expired_session_is_signed_out(store: AccountStore) -> None:
    session_id, _ = store.open_session(
        WebUser(name="ana", role=Role.CLINICIAN), timedelta(seconds=-1)
    )
    assert store.resume_session(session_id, timedelta(minutes=15)) is None


def test_automatic_refresh_does_not_restart_the_idle_clock(store: AccountStore) -> None:
    session_id, _ = store.open_session(WebUser(name="ana", role=Role.CLINICIAN), timedelta(1))
    with store.engine.connect() as conn:
        before = conn.execute(sa.select(WebSession.last_seen_at)).scalar_one()
    assert store.resume_session(session_id, timedelta(minutes=15), touch=False) is not None
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(WebSession.last_seen_at)).scalar_one() == before
    with store.engine.begin() as conn:  # the last page view was a minute ago
        conn.execute(sa.update(WebSession).values(last_seen_at=before - timedelta(minutes=1)))
    assert store.resume_session(session_id, timedelta(minutes=15)) is not None
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(WebSession.last_seen_at)).scalar_one() > before


def test_disabling_a_user_ends_their_sessions(store: AccountStore) -> None:
    session_id, _ = store.open_session(WebUser(name="ana", role=Role.CLINICIAN), timedelta(1))
    CredentialStore(store.engine).disable_user("ana")
    assert store.resume_session(session_id, timedelta(minutes=15)) is None
    with pytest.raises(SignInError):
        authenticate(store, "ana", PASSWORD)


def test_web_settings_refuse_a_zero_idle_timeout() -> None:
    with pytest.raises(ValueError, match="idle_timeout_minutes"):
        WebSettings(idle_timeout_minutes=0)


def _engine(data_dir: Path) -> sa.Engine:
    return make_engine(Settings(data_dir=data_dir))


def test_users_create_with_password_stdin_lets_the_user_sign_in(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(
        cli_app,
        ["users", "create", "eve", "--role", "researcher", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "web password" in result.output and PASSWORD not in result.output
    user = authenticate(AccountStore(_engine(cli_env)), "eve", PASSWORD)
    assert user.role is Role.RESEARCHER


def test_users_create_prompts_twice_for_the_password(runner: CliRunner, cli_env: Path) -> None:
    typed = f"{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(
        cli_app, ["users", "create", "fay", "--role", "clinician", "--password"], input=typed
    )
    assert result.exit_code == 0, result.output
    assert authenticate(AccountStore(_engine(cli_env)), "fay", PASSWORD).name == "fay"


def test_users_create_refuses_a_short_password_before_creating_the_user(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(
        cli_app, ["users", "create", "gus", "--role", "clinician", "--password-stdin"], input="x\n"
    )
    assert result.exit_code == 2 and "password" in result.output
    listed = runner.invoke(cli_app, ["users", "list", "--json"]).stdout
    assert "gus" not in listed


def test_users_password_for_an_unknown_user_is_one_error_line(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(
        cli_app, ["users", "password", "nobody", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 2 and "nobody" in result.output
