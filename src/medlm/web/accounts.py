"""Web sign-in accounts: argon2id passwords, failed-attempt lockout and server-side sessions.

Passwords are hashed with argon2-cffi's `PasswordHasher` (argon2id, its default parameters).
A session id is 32 random bytes sent to the browser once; only its SHA-256 is stored, with the
user, a per-session CSRF token, the last time it was used and an absolute expiry. Failed
sign-ins are counted per user name, whether or not the user exists, so the lockout reveals
nothing about which names are real.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel

from medlm.errors import InputError
from medlm.privacy.auth import Role
from medlm.storage.tables.privacy import User
from medlm.storage.tables.web import WebAlertNote, WebPassword, WebSession, WebSignInFailure

MIN_PASSWORD_LENGTH = 8
# A session's idle clock is restarted at most this often (one write per page view otherwise).
TOUCH_EVERY = timedelta(seconds=30)


class SignInError(Exception):
    """A sign-in was refused; the message is the same for every cause."""


class WebUser(BaseModel):
    """The signed-in user of a web request."""

    name: str
    role: Role

    @property
    def role_label(self) -> str:
        return self.role.value

    @property
    def identified(self) -> bool:
        """Whether this user may see patient identifiers (clinician and admin)."""
        return self.role in {Role.CLINICIAN, Role.ADMIN}


class SessionInfo(BaseModel):
    """A live session: its user and CSRF token."""

    user: WebUser
    csrf_token: str


def check_password_policy(password: str) -> None:
    """InputError unless `password` is long enough to be stored."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class AccountStore:
    """Reads and writes web passwords, failures and sessions through one engine."""

    def __init__(self, engine: sa.Engine, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()

    def set_password(self, name: str, password: str) -> None:
        """Store the argon2id hash of `password` for the existing, enabled user `name`."""
        check_password_policy(password)
        digest = self.hasher.hash(password)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(User.disabled_at).where(User.name == name)).first()
            if row is None or row.disabled_at is not None:
                raise InputError(f"user {name!r} does not exist or is disabled")
            conn.execute(sa.delete(WebPassword).where(WebPassword.user_name == name))
            conn.execute(
                sa.insert(WebPassword).values(user_name=name, password_hash=digest, updated_at=now)
            )
            conn.execute(sa.delete(WebSession).where(WebSession.user_name == name))

    def _locked(self, conn: sa.Connection, name: str, now: datetime) -> bool:
        row = conn.execute(
            sa.select(WebSignInFailure.locked_until).where(WebSignInFailure.user_name == name)
        ).first()
        return row is not None and row.locked_until is not None and _aware(row.locked_until) > now

    def _fail(self, name: str, now: datetime, attempts: int, lockout: timedelta) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(WebSignInFailure).where(WebSignInFailure.user_name == name)
            ).first()
            failures = 1 if row is None else row.failures + 1
            locked = now + lockout if failures >= attempts else None
            conn.execute(sa.delete(WebSignInFailure).where(WebSignInFailure.user_name == name))
            conn.execute(
                sa.insert(WebSignInFailure).values(
                    user_name=name,
                    failures=0 if locked else failures,
                    last_failed_at=now,
                    locked_until=locked,
                )
            )

    def authenticate(
        self, name: str, password: str, *, attempts: int, lockout: timedelta
    ) -> WebUser:
        """The user whose password this is; SignInError (one message) otherwise, counting the
        failure and locking the name for `lockout` after `attempts` failures in a row."""
        now = datetime.now(UTC)
        name = name.strip()[:128]
        with self.engine.connect() as conn:
            if self._locked(conn, name, now):
                raise SignInError("locked")
            row = conn.execute(
                sa.select(WebPassword.password_hash, User.role, User.disabled_at)
                .join(User, User.name == WebPassword.user_name)
                .where(WebPassword.user_name == name)
            ).first()
        if not self._password_matches(row.password_hash if row else None, password):
            self._fail(name, now, attempts, lockout)
            raise SignInError("bad credentials")
        if row is None or row.disabled_at is not None:
            self._fail(name, now, attempts, lockout)
            raise SignInError("disabled")
        with self.engine.begin() as conn:
            conn.execute(sa.delete(WebSignInFailure).where(WebSignInFailure.user_name == name))
        return WebUser(name=name, role=Role(row.role))

    def _password_matches(self, digest: str | None, password: str) -> bool:
        if digest is None:
            # Hash anyway so an unknown name takes as long as a wrong password.
            self.hasher.hash(password)
            return False
        try:
            return self.hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return False

    def open_session(self, user: WebUser, lifetime: timedelta) -> tuple[str, str]:
        """A new session for `user`: (session id for the cookie, CSRF token)."""
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(WebSession).where(WebSession.expires_at < now))
            conn.execute(
                sa.insert(WebSession).values(
                    id_hash=hash_session_id(session_id),
                    user_name=user.name,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + lifetime,
                )
            )
        return session_id, csrf

    def resume_session(
        self, session_id: str, idle: timedelta, *, touch: bool = True
    ) -> SessionInfo | None:
        """The live session of a cookie value, its idle clock restarted (at most every
        TOUCH_EVERY) unless `touch` is False (automatic refreshes); None when unknown, expired,
        idle longer than `idle`, or its user disabled (such a session is removed)."""
        now = datetime.now(UTC)
        key = hash_session_id(session_id)
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(WebSession, User.role, User.disabled_at)
                .join(User, User.name == WebSession.user_name)
                .where(WebSession.id_hash == key)
            ).first()
            if row is None:
                return None
            dead = (
                _aware(row.expires_at) <= now
                or _aware(row.last_seen_at) + idle <= now
                or row.disabled_at is not None
            )
            if dead:
                conn.execute(sa.delete(WebSession).where(WebSession.id_hash == key))
                return None
            if touch and now - _aware(row.last_seen_at) >= TOUCH_EVERY:
                conn.execute(
                    sa.update(WebSession).where(WebSession.id_hash == key).values(last_seen_at=now)
                )
        user = WebUser(name=row.user_name, role=Role(row.role))
        return SessionInfo(user=user, csrf_token=row.csrf_token)

    def close_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(WebSession).where(WebSession.id_hash == hash_session_id(session_id))
            )

    def add_alert_note(self, alert_id: int, user_name: str, note: str) -> None:
        """Keep the note written when `user_name` acknowledged alert `alert_id` (none if empty)."""
        if not note:
            return
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(WebAlertNote).values(
                    alert_id=alert_id, user_name=user_name, note=note, created_at=datetime.now(UTC)
                )
            )
