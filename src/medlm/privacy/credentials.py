"""The credential store: users with roles, API keys kept as hashes, and revoked JWT ids."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import BaseModel

from medlm.errors import InputError
from medlm.privacy.auth import (
    AuthenticationError,
    Principal,
    Role,
    hashes_match,
    new_api_key,
    split_api_key,
)
from medlm.storage.tables.privacy import ApiKey, RevokedToken, UsedClientToken, User


class UserInfo(BaseModel):
    """A user as listed by `medlm users list`."""

    name: str
    role: Role
    created_at: datetime
    disabled: bool


class CredentialStore:
    """Reads and writes users, API keys and token revocations through one engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create_user(self, name: str, role: Role) -> UserInfo:
        with self.engine.begin() as conn:
            if conn.execute(sa.select(User.id).where(User.name == name)).first():
                raise InputError(f"user {name!r} already exists")
            now = datetime.now(UTC)
            conn.execute(sa.insert(User).values(name=name, role=role.value, created_at=now))
        return UserInfo(name=name, role=role, created_at=now, disabled=False)

    def list_users(self) -> list[UserInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(User).order_by(User.name)).all()
        return [
            UserInfo(name=r.name, role=Role(r.role), created_at=r.created_at,
                     disabled=r.disabled_at is not None)
            for r in rows
        ]  # fmt: skip

    def _user(self, conn: sa.Connection, name: str) -> tuple[str, datetime | None] | None:
        row = conn.execute(sa.select(User.role, User.disabled_at).where(User.name == name)).first()
        return None if row is None else (row.role, row.disabled_at)

    def disable_user(self, name: str) -> None:
        """Disable a user and revoke every API key they hold."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            if self._user(conn, name) is None:
                raise InputError(f"user {name!r} does not exist")
            conn.execute(sa.update(User).where(User.name == name).values(disabled_at=now))
            conn.execute(
                sa.update(ApiKey)
                .where(ApiKey.user_name == name, ApiKey.revoked_at.is_(None))
                .values(revoked_at=now)
            )

    def create_api_key(self, user: str) -> tuple[str, str]:
        """A new key for `user`: (full key, shown only now; key id)."""
        full, key_id, key_hash = new_api_key()
        with self.engine.begin() as conn:
            row = self._user(conn, user)
            if row is None or row[1] is not None:
                raise InputError(f"user {user!r} does not exist or is disabled")
            conn.execute(
                sa.insert(ApiKey).values(
                    key_id=key_id, user_name=user, key_hash=key_hash, created_at=datetime.now(UTC)
                )
            )
        return full, key_id

    def revoke_api_key(self, key_id: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(ApiKey)
                .where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        if done.rowcount == 0:
            raise InputError(f"API key {key_id!r} does not exist or is already revoked")

    def revoke_token(self, jti: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(RevokedToken).values(jti=jti, revoked_at=datetime.now(UTC)))

    def token_revoked(self, jti: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(sa.select(RevokedToken.jti).where(RevokedToken.jti == jti)).first()
                is not None
            )

    def claim_client_token(self, issuer: str, jti: str, expires_at: datetime) -> None:
        """Record a CDS client token's id as used until it expires; AuthenticationError when
        the same issuer presented it before (a replay). Expired ids are forgotten here."""
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.delete(UsedClientToken).where(UsedClientToken.expires_at < now))
                conn.execute(
                    sa.insert(UsedClientToken).values(issuer=issuer, jti=jti, expires_at=expires_at)
                )
        except sa.exc.IntegrityError as exc:
            raise AuthenticationError("CDS client token was already used (jti replay)") from exc

    def verify_api_key(self, key: str) -> Principal:
        """The principal of a valid, unrevoked key of an enabled user."""
        parts = split_api_key(key)
        if parts is None:
            raise AuthenticationError("API key is not valid")
        key_id, secret = parts
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    ApiKey.key_hash, ApiKey.revoked_at, User.role, User.name, User.disabled_at
                )
                .join(User, User.name == ApiKey.user_name)
                .where(ApiKey.key_id == key_id)
            ).first()
        if row is None or not hashes_match(row.key_hash, secret):
            raise AuthenticationError("API key is not valid")
        if row.revoked_at is not None or row.disabled_at is not None:
            raise AuthenticationError("API key has been revoked")
        return Principal(subject=row.name, role=Role(row.role), credential=f"key:{key_id}")
