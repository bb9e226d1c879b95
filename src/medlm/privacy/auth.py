"""Authentication primitives: roles, principals, signed JWTs and API keys stored as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from pydantic import BaseModel

from medlm.errors import ConfigError, MedlmError
from medlm.settings import SecuritySettings

API_KEY_PREFIX = "mlk"
_ALGORITHM = "HS256"


class Role(StrEnum):
    """What a caller may see: identified data, de-identified outputs only, or everything."""

    CLINICIAN = "clinician"
    RESEARCHER = "researcher"
    ADMIN = "admin"


class Principal(BaseModel):
    """The authenticated caller."""

    subject: str
    role: Role
    credential: str  # "jwt:<jti>", "key:<key id>" or "dev-loopback"


class AuthenticationError(MedlmError):
    """Missing, malformed, expired or revoked credentials (HTTP 401)."""


class PermissionDeniedError(MedlmError):
    """Valid credentials whose role may not use the resource (HTTP 403)."""


def _jwt_secret(security: SecuritySettings) -> str:
    if security.jwt_secret is None:
        raise ConfigError("security.jwt_secret is not set (MEDLM_SECURITY__JWT_SECRET)")
    secret = security.jwt_secret.get_secret_value()
    if len(secret) < 32:
        raise ConfigError("security.jwt_secret must be at least 32 characters")
    return secret


def issue_token(
    security: SecuritySettings, subject: str, role: Role, ttl_minutes: int | None = None
) -> tuple[str, str]:
    """A signed HS256 JWT for `subject` with `role`; returns (token, jti)."""
    now = datetime.now(UTC)
    jti = uuid.uuid4().hex
    claims = {
        "sub": subject,
        "role": role.value,
        "jti": jti,
        "iat": now,
        "exp": now + timedelta(minutes=ttl_minutes or security.jwt_ttl_minutes),
        "iss": "medlm",
    }
    return jwt.encode(claims, _jwt_secret(security), algorithm=_ALGORITHM), jti


def verify_token(security: SecuritySettings, token: str) -> Principal:
    """The principal of a valid token; AuthenticationError otherwise (no token text in errors)."""
    try:
        claims = jwt.decode(
            token,
            _jwt_secret(security),
            algorithms=[_ALGORITHM],
            issuer="medlm",
            options={"require": ["sub", "role", "jti", "exp", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("bearer token has expired") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationError("bearer token is not valid") from exc
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise AuthenticationError("bearer token carries an unknown role") from exc
    return Principal(subject=str(claims["sub"]), role=role, credential=f"jwt:{claims['jti']}")


def hash_api_key(secret: str) -> str:
    """SHA-256 of the key's secret part (keys are 256-bit random, so no slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (full key shown once, key id, hash of the secret to store)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}_{key_id}_{secret}", key_id, hash_api_key(secret)


def split_api_key(key: str) -> tuple[str, str] | None:
    """(key id, secret) of a medlm API key, or None when `key` does not look like one."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def hashes_match(stored: str, secret: str) -> bool:
    """Constant-time comparison of a stored hash with a presented secret."""
    return hmac.compare_digest(stored, hash_api_key(secret))
