"""Service authentication, roles and audit: a guard on every `/v1` request (401 without valid
credentials, one audit entry per request) and a role dependency (403) for routers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from medlm.errors import ConfigError, MedlmError
from medlm.privacy.audit import AuditEvent
from medlm.privacy.auth import (
    API_KEY_PREFIX,
    AuthenticationError,
    Principal,
    Role,
    verify_token,
)
from medlm.privacy.cds_auth import cds_audience, unverified_issuer, verify_cds_client
from medlm.service.services import AppServices, services_of
from medlm.settings import Settings

logger = logging.getLogger(__name__)
PROTECTED_PREFIX = "/v1"
CDS_PREFIX = "/cds-services"  # hook calls (POST) are guarded; discovery (GET) stays open
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# Starlette's in-process TestClient reports this client host; no socket can produce it.
_IN_PROCESS_CLIENT = "testclient"


def check_dev_switch(settings: Settings, host: str | None = None) -> None:
    """Refuse the no-auth development switch unless the service listens on loopback only.

    `host` is the address actually bound (default: `settings.service.host`). Only the hosts the
    request-side check accepts count as loopback (127.0.0.1, ::1, localhost): 127.0.0.2 is in
    the loopback network but is refused like any other address."""
    bound = settings.service.host if host is None else host
    if settings.security.dev_no_auth_loopback and bound not in LOOPBACK_HOSTS:
        raise ConfigError(
            "security.dev_no_auth_loopback is only allowed when the service binds a loopback "
            f"address ({', '.join(sorted(LOOPBACK_HOSTS))}), not {bound!r}"
        )


def authenticate(request: Request, state: AppServices) -> Principal:
    """The caller's principal from `Authorization: Bearer ...`; AuthenticationError otherwise."""
    security = state.settings.security
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        client = request.client.host if request.client else ""
        if security.dev_no_auth_loopback and client in LOOPBACK_HOSTS | {_IN_PROCESS_CLIENT}:
            return Principal(subject="dev-loopback", role=Role.ADMIN, credential="dev-loopback")
        raise AuthenticationError("missing bearer token")
    credential = credential.strip()
    if credential.startswith(f"{API_KEY_PREFIX}_"):
        if security.auth_mode == "jwt":
            raise AuthenticationError("API keys are not accepted (security.auth_mode=jwt)")
        return state.credentials.verify_api_key(credential)
    if security.auth_mode == "api_key":
        raise AuthenticationError("JWTs are not accepted (security.auth_mode=api_key)")
    if security.jwt_secret is None:  # no key to verify with: the credential is refused (401)
        raise AuthenticationError("JWTs are not accepted (security.jwt_secret is not set)")
    principal = verify_token(security, credential)
    if state.credentials.token_revoked(principal.credential.removeprefix("jwt:")):
        raise AuthenticationError("bearer token has been revoked")
    return principal


def authenticate_cds(request: Request, state: AppServices) -> Principal:
    """A CDS Hooks call's principal: a trusted CDS client's JWT (CDS Hooks 2.0), or any medlm
    bearer credential (API key or medlm JWT), or the loopback development switch."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and credential and not credential.startswith(API_KEY_PREFIX):
        issuer = unverified_issuer(credential)
        if issuer is not None and issuer != "medlm":
            security = state.settings.security
            # Never from Host or X-Forwarded-*: the client controls those headers.
            audience = cds_audience(security, state.settings.service, request.url.path)
            token = verify_cds_client(security, credential, audience)
            state.credentials.claim_client_token(token.issuer, token.jti, token.expires_at)
            return token.principal
    return authenticate(request, state)


def audit_patients(request: Request, patient_ids: Iterable[str | None]) -> None:
    """Name the patients a request's body carries in its audit entry: the distinct ids, sorted,
    joined by commas (one entry per request, so the hash chain grows by one per call)."""
    unique = sorted({p for p in patient_ids if p})
    if unique:
        request.state.audit_patient_id = ",".join(unique)


def _patient_id(request: Request) -> str | None:
    params: dict[str, Any] = request.scope.get("path_params") or {}
    value = params.get("patient_id") or request.query_params.get("patient_id")
    value = value or getattr(request.state, "audit_patient_id", None)
    return None if value is None else str(value)


def audit_event(request: Request, principal: Principal, status: int) -> AuditEvent:
    """The audit entry of a request: who, role, read or write, route, patient ids, status."""
    route = request.scope.get("route")
    return AuditEvent(
        actor=principal.subject,
        role=principal.role.value,
        action="read" if request.method in {"GET", "HEAD", "OPTIONS"} else "write",
        route=f"{request.method} {getattr(route, 'path', request.url.path)}",
        patient_id=_patient_id(request),
        outcome=status,
    )


def audit_on_commit(
    request: Request, services: AppServices, status: int = 200
) -> Callable[[sa.Connection], None]:
    """A callback for a write's `on_commit`: it records the request's audit entry (answered
    `status`) on the write's own connection, so the data and its entry commit or roll back
    together (a committed write always has its entry, even after kill -9). The guard then
    writes no second entry unless the answer turns out an error (4xx/5xx).

    Name the patients (`audit_patients`) before the write; the write calls this after its own
    first statement, so on SQLite the transaction already holds the write lock."""
    principal = current_principal(request)

    def record(connection: sa.Connection) -> None:
        services.audit.record(audit_event(request, principal, status), connection=connection)
        request.state.audit_written = True

    return record


def _audit(state: AppServices, request: Request, principal: Principal, status: int) -> None:
    if status < 400 and getattr(request.state, "audit_written", False):
        return  # written in the same transaction as the request's write
    state.audit.record(audit_event(request, principal, status))


def install_guard(app: Any) -> None:
    """Register the middleware that authenticates and audits every `/v1` request (and CDS
    hook calls), with the app's services (`medlm.service.services.services_of`)."""

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        hook_call = request.method == "POST" and path.startswith(CDS_PREFIX + "/")
        if not (path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/") or hook_call):
            return await call_next(request)
        try:
            state = await run_in_threadpool(services_of, request.app)
            check = authenticate_cds if hook_call else authenticate
            principal = await run_in_threadpool(check, request, state)
        except AuthenticationError as exc:
            return JSONResponse(
                {"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        except MedlmError as exc:
            logger.error("authentication unavailable: %s", type(exc).__name__)
            return JSONResponse({"detail": "authentication is not configured"}, status_code=503)
        request.state.principal = principal
        if hook_call and principal.role not in {Role.CLINICIAN, Role.ADMIN}:
            response: Response = JSONResponse(
                {"detail": "CDS hooks return identified data; role not allowed"}, status_code=403
            )
        else:
            try:
                response = await call_next(request)
            except Exception as exc:  # no traceback or message (they may hold PHI) leaves
                logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, path)
                response = JSONResponse({"detail": "internal error"}, status_code=500)
        try:
            await run_in_threadpool(_audit, state, request, principal, response.status_code)
        except Exception as exc:  # fail closed: no unaudited access is answered
            logger.error("audit write failed: %s", type(exc).__name__)
            return JSONResponse({"detail": "audit trail unavailable"}, status_code=503)
        return response


MAX_LISTED_ERRORS = 50
"""Validation errors listed in one 422 answer; the rest are counted."""


async def redact_validation_error(request: Request, exc: Exception) -> Response:
    """422 without the submitted values: pydantic puts the offending input (maybe PHI) in
    each error; only its location, message and type are returned."""
    errors: list[dict[str, Any]] = getattr(exc, "errors", list)()
    safe = [{k: e.get(k) for k in ("loc", "msg", "type")} for e in errors[:MAX_LISTED_ERRORS]]
    if len(errors) > MAX_LISTED_ERRORS:  # a million bad items must not answer 95 MB
        more = len(errors) - MAX_LISTED_ERRORS
        safe.append({"loc": ["body"], "msg": f"and {more} more errors", "type": "too_many_errors"})
    return JSONResponse({"detail": safe}, status_code=422)


def current_principal(request: Request) -> Principal:
    """The principal the guard put on the request (dependency for routes that need it)."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise HTTPException(status_code=401, detail="missing bearer token")
    return principal


def require_roles(roles: Iterable[Role]) -> Any:
    """A dependency that answers 403 unless the caller holds one of `roles`."""
    allowed = frozenset(roles)

    def check(request: Request) -> Principal:
        principal = current_principal(request)
        if principal.role not in allowed:
            raise HTTPException(
                status_code=403,
                detail=f"role {principal.role.value!r} may not use this route; "
                f"allowed: {', '.join(sorted(r.value for r in allowed))}",
            )
        return principal

    return Depends(check)
