"""CDS Hooks 2.0 client authentication: a CDS client's signed JWT (iss, aud, exp, jti) verified
against the public keys (JWKS files) of configured trusted issuers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jwt

from medlm.privacy.auth import AuthenticationError, Principal, Role
from medlm.settings import SecuritySettings, ServiceSettings

# CDS Hooks 2.0 requires clients to sign with ES384 or RS384; RS256/ES256 are widely deployed.
ALGORITHMS = ["ES384", "RS384", "ES256", "RS256"]
MAX_JTI_LENGTH = 255  # the width of the column that remembers used ids


@dataclass(frozen=True)
class ClientToken:
    """A verified CDS client token: who it authenticates and the id that must not recur."""

    principal: Principal
    issuer: str
    jti: str
    expires_at: datetime


def unverified_issuer(token: str) -> str | None:
    """The `iss` claim of a JWT without checking it (to choose the verifier); None if unreadable."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def cds_audience(security: SecuritySettings, service: ServiceSettings, path: str) -> str:
    """The `aud` a CDS client token must carry to call the hook at `path` (/cds-services/{id}).

    `security.cds_audience_base` plus the path when set; otherwise this server's own configured
    address, `http://{service.host}:{service.port}` plus the path. Never derived from the
    request's Host or X-Forwarded-* headers, which the client controls: a token signed for
    another service must not pass by naming that service in Host. Production deployments
    (behind a proxy, with a public name or https) must set `security.cds_audience_base`.
    """
    if security.cds_audience_base:
        base = security.cds_audience_base.rstrip("/")
    else:
        host = service.host
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        base = f"http://{host}:{service.port}"
    return base + "/" + path.lstrip("/")


def _key(jwks_file: Path, token: str) -> jwt.PyJWK:
    try:
        keys = jwt.PyJWKSet.from_json(jwks_file.read_text(encoding="utf-8"))
        kid = jwt.get_unverified_header(token).get("kid")
    except (OSError, jwt.PyJWTError) as exc:
        raise AuthenticationError(
            "CDS client key set is unavailable or the token unreadable"
        ) from exc
    matches = [k for k in keys.keys if kid is None or k.key_id == kid]
    if len(matches) != 1:
        raise AuthenticationError("CDS client token names no single trusted key (kid)")
    return matches[0]


def verify_cds_client(security: SecuritySettings, token: str, audience: str) -> ClientToken:
    """A trusted CDS client's JWT for this service URL (`aud`, from `cds_audience`, never from
    request headers) verified; the client acts for a clinician. AuthenticationError for an
    untrusted issuer, bad signature, wrong audience, expiry or a missing claim (no token text
    in messages). The caller refuses a `jti` it has seen before
    (`CredentialStore.claim_client_token`)."""
    issuer = unverified_issuer(token)
    jwks_file = security.cds_trusted_issuers.get(issuer or "")
    if issuer is None or jwks_file is None:
        raise AuthenticationError("CDS client token is not from a trusted issuer")
    key = _key(jwks_file, token)
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            options={"require": ["iss", "aud", "exp", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("CDS client token has expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise AuthenticationError("CDS client token is for another service URL (aud)") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationError("CDS client token is not valid") from exc
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
        raise AuthenticationError(f"CDS client token jti must be text of 1-{MAX_JTI_LENGTH} chars")
    principal = Principal(
        subject=f"cds-client:{issuer}", role=Role.CLINICIAN, credential=f"cds:{jti}"
    )
    expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    return ClientToken(principal=principal, issuer=issuer, jti=jti, expires_at=expires_at)
