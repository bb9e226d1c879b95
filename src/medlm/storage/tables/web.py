"""Tables of the clinician's web app: password hashes, sign-in failures, sign-in sessions and the
notes written when an alert is acknowledged from the ward board."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from medlm.storage.tables.base import Base


class WebPassword(Base):
    """A user's web sign-in password as an argon2id hash (the user is in `users`)."""

    __tablename__ = "web_passwords"

    user_name: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class WebSignInFailure(Base):
    """Failed sign-ins of one user name (existing or not) since the last success; `locked_until`
    is set when the count reaches the lockout threshold."""

    __tablename__ = "web_signin_failures"

    user_name: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer)
    last_failed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)


class WebSession(Base):
    """A signed-in browser session: only the SHA-256 of its cookie value is stored."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(sa.String(128), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class WebAlertNote(Base):
    """The note a user wrote when acknowledging a stored alert (`vital_alerts.id`) on the board."""

    __tablename__ = "web_alert_notes"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    user_name: Mapped[str] = mapped_column(sa.String(128))
    note: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
