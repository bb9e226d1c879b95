"""Web sign-in over HTTP: `WebSettings`, the session cookie, CSRF checks, `WebUserDep`,
`require_page_role` and `audit_page` (every page view of a patient is audited).

The session cookie is HttpOnly, SameSite=Strict and Secure when the request came over https.
Pages that need a user depend on `WebUserDep`: without a live session the browser is sent to
`/signin` (303, and `HX-Redirect` for htmx requests). Every POST form carries the session's CSRF
token in a hidden `csrf_token` field; `CsrfDep` answers 403 when it is missing or wrong.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response

from medlm.privacy.audit import AuditEvent
from medlm.privacy.auth import Role
from medlm.service.deps import ServicesDep
from medlm.service.services import AppServices
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.settings import WebSettings

SESSION_COOKIE = "medlm_session"
SIGNIN_CSRF_COOKIE = "medlm_signin_csrf"
CSRF_FIELD = "csrf_token"

__all__ = [
    "CsrfDep",
    "WebSettings",
    "WebUserDep",
    "audit_page",
    "passive_user",
    "require_page_role",
    "web_settings",
]


def web_settings(services: AppServices) -> WebSettings:
    """The `web` section of the app's Settings (defaults where Settings has none)."""
    section = getattr(services.settings, "web", None)
    return section if isinstance(section, WebSettings) else WebSettings()


def accounts(services: AppServices) -> AccountStore:
    """The account store on the app's engine."""
    return AccountStore(services.engine)


def secure_cookies(request: Request) -> bool:
    """Whether cookies get the Secure flag (the request came over https)."""
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=secure_cookies(request), path="/"
    )


def signin_redirect(request: Request) -> HTTPException:
    """A 303 to the sign-in page that returns here after sign-in."""
    target = request.url.path
    if request.headers.get("hx-request") or not target.startswith("/") or target == "/signin":
        target = "/"
    location = f"/signin?next={quote(target, safe='/')}"
    return HTTPException(status_code=303, headers={"Location": location, "HX-Redirect": location})


def _session_user(request: Request, services: AppServices, touch: bool) -> WebUser | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    settings = web_settings(services)
    info = accounts(services).resume_session(
        session_id, timedelta(minutes=settings.idle_timeout_minutes), touch=touch
    )
    if info is None:
        return None
    request.state.web_user = info.user
    request.state.csrf_token = info.csrf_token
    return info.user


def optional_user(request: Request, services: ServicesDep) -> WebUser | None:
    """The signed-in user of a live session (its idle clock restarted), or None; binds the user
    and the session's CSRF token to `request.state` for the templates."""
    return _session_user(request, services, touch=True)


def signed_in_user(
    request: Request, user: Annotated[WebUser | None, Depends(optional_user)]
) -> WebUser:
    """The signed-in user; a redirect to /signin without a live session."""
    if user is None:
        raise signin_redirect(request)
    return user


WebUserDep = Annotated[WebUser, Depends(signed_in_user)]


def passive_user(request: Request, services: ServicesDep) -> WebUser:
    """The signed-in user for automatic requests (live board refreshes, event streams): the
    idle clock is not restarted, so an unattended page still signs out."""
    user = _session_user(request, services, touch=False)
    if user is None:
        raise signin_redirect(request)
    return user


def require_page_role(*roles: Role) -> object:
    """A dependency allowing only `roles` (403 for other signed-in users)."""

    def check(user: WebUserDep) -> WebUser:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail="role not allowed on this page")
        return user

    return Depends(check)


async def check_csrf(request: Request, user: WebUserDep) -> WebUser:
    """403 unless the POSTed form's `csrf_token` equals the session's token."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = getattr(request.state, "csrf_token", "")
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
    return user


CsrfDep = Annotated[WebUser, Depends(check_csrf)]


def audit_page(
    services: AppServices,
    request: Request,
    user: WebUser,
    patient_id: str | None,
    outcome: int = 200,
) -> None:
    """Write one audit entry for a page view or form post by `user` about `patient_id`."""
    route = request.scope.get("route")
    services.audit.record(
        AuditEvent(
            actor=user.name,
            role=user.role.value,
            action="read" if request.method in {"GET", "HEAD"} else "write",
            route=f"{request.method} {getattr(route, 'path', request.url.path)}",
            patient_id=patient_id,
            outcome=outcome,
        )
    )
