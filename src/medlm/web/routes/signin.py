"""Sign-in and sign-out pages."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from medlm.service.deps import ServicesDep
from medlm.web import i18n
from medlm.web.accounts import SignInError, WebUser
from medlm.web.auth import (
    SESSION_COOKIE,
    SIGNIN_CSRF_COOKIE,
    CsrfDep,
    accounts,
    clear_session_cookie,
    optional_user,
    secure_cookies,
    set_session_cookie,
    web_settings,
)
from medlm.web.templating import render

logger = logging.getLogger(__name__)
router = APIRouter()


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def signin_page(
    request: Request, next_url: str, error: str = "", notice: str = "", status_code: int = 200
) -> HTMLResponse:
    """The sign-in form with a fresh sign-in CSRF token (double-submitted as a cookie)."""
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "signin.html",
        {"signin_csrf": token, "next_url": next_url, "error": error, "notice": notice},
        status_code=status_code,
    )
    response.set_cookie(
        SIGNIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/signin",
    )
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(
    request: Request,
    user: Annotated[WebUser | None, Depends(optional_user)],
    next: str = "/",
    signed_out: bool = False,
) -> Response:
    """The sign-in page (a signed-in user goes on to `next`)."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    notice = ""
    if signed_out:
        notice = i18n.gettext(i18n.negotiate(request), "You have been signed out.")
    return signin_page(request, safe_next(next), notice=notice)


@router.post("/signin", response_class=HTMLResponse)
async def signin_submit(
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=128)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    """Check the password; on success open a session and go on to `next`."""
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token, expected):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
    settings = web_settings(services)
    store = accounts(services)
    try:
        user = await run_in_threadpool(
            store.authenticate,
            username,
            password,
            attempts=settings.lockout_attempts,
            lockout=timedelta(minutes=settings.lockout_minutes),
        )
    except SignInError:
        logger.info("web sign-in refused")
        message = i18n.gettext(
            i18n.negotiate(request),
            "Sign-in failed: wrong user name or password, or too many attempts. Try again later.",
        )
        return signin_page(request, safe_next(next), error=message, status_code=401)
    session_id, _ = await run_in_threadpool(
        store.open_session, user, timedelta(hours=settings.session_hours)
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, session_id)
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(request: Request, services: ServicesDep, user: CsrfDep) -> Response:
    """End the session and return to the sign-in page."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(accounts(services).close_session, session_id)
    response = RedirectResponse("/signin?signed_out=true", status_code=303)
    clear_session_cookie(request, response)
    return response
