"""The ward board at `/`: its page, the table partial, the live event stream and the
acknowledgement form.

The page listens to `/board/events` (server-sent events, htmx's sse extension) and reloads the
table partial `/board/table` when the stream says the board changed (a new set or alert, or an
acknowledgement). Clinicians and admins see patient ids linked to their charts and may
acknowledge alerts; researchers see stable pseudonyms and no forms. Every view of the board and
every acknowledgement is audited.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from medlm.errors import MedlmError
from medlm.monitor.store import acknowledge_alert, alert_signal
from medlm.privacy.auth import Role
from medlm.service.deps import ServicesDep
from medlm.service.services import AppServices
from medlm.web import i18n
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import CsrfDep, WebUserDep, audit_page, passive_user, web_settings
from medlm.web.board_data import BoardRow, BoardView, board_rows, board_state, stale_after
from medlm.web.components.local_time import LocalTime, time_context
from medlm.web.templating import render

logger = logging.getLogger(__name__)
router = APIRouter()
MAX_ID = 2**53
PassiveUserDep = Annotated[WebUser, Depends(passive_user)]


def _rows(services: AppServices, user: WebUser) -> list[BoardRow]:
    settings = services.settings
    view = BoardView(
        identified=user.identified,
        deid_secret=settings.security.deid_secret.get_secret_value(),
        stale_after=stale_after(settings),
    )
    return board_rows(services.engine, view)


def _shown_ids(services: AppServices, request: Request, user: WebUser) -> list[BoardRow]:
    """The board's rows, the view audited (the real ids of every patient listed)."""
    rows = _rows(services, user)
    audit_ids = None
    if rows and user.identified:
        audit_ids = ",".join(sorted(r.patient_id for r in rows))
    audit_page(services, request, user, audit_ids)
    return rows


def _context(services: AppServices, request: Request, user: WebUser) -> dict[str, object]:
    """The board's rows (audited) and its times in the ward's zone and the page's locale."""
    times = LocalTime(i18n.negotiate(request), web_settings(services).zone)
    rows = _shown_ids(services, request, user)
    return {"rows": rows, "can_acknowledge": user.identified, **time_context(times)}


@router.get("/", response_class=HTMLResponse)
def board_page(request: Request, services: ServicesDep, user: WebUserDep) -> HTMLResponse:
    """The ward board."""
    return render(request, "board.html", _context(services, request, user))


@router.get("/board/table", response_class=HTMLResponse)
def board_table(request: Request, services: ServicesDep, user: PassiveUserDep) -> HTMLResponse:
    """The board's table alone (what the live page swaps in)."""
    return render(request, "board_table.html", _context(services, request, user))


@router.get("/board/events")
async def board_events(
    services: ServicesDep,
    user: PassiveUserDep,
    max_events: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> StreamingResponse:
    """Server-sent `board` events whenever a set, an alert or an acknowledgement arrives; the
    stream ends after the idle timeout (the browser reconnects and signs in again if needed)."""
    settings = web_settings(services)
    deadline = time.monotonic() + settings.idle_timeout_minutes * 60

    async def events() -> AsyncIterator[str]:
        last = await asyncio.to_thread(board_state, services.engine)
        sent = 0
        yield "retry: 3000\n\n"
        while time.monotonic() < deadline and (max_events is None or sent < max_events):
            await asyncio.sleep(settings.board_poll_seconds)
            state = await asyncio.to_thread(board_state, services.engine)
            if state != last:
                last, sent = state, sent + 1
                yield "event: board\ndata: changed\n\n"
            else:
                yield ": keep-alive\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def _acknowledge(services: AppServices, alert_id: int, by: str) -> str:
    """Mark the alert acknowledged and tell the monitor that raised it; its patient id."""
    engine = services.engine
    signal = alert_signal(engine, alert_id)
    if signal is None:
        raise HTTPException(status_code=404, detail=f"alert {alert_id} does not exist")
    try:
        patient_id = acknowledge_alert(engine, alert_id, by=by)
    except MedlmError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    if signal == "glucose":
        services.glucose.acknowledge(patient_id)
    else:
        with services.vitals.lock:
            services.vitals.durable.policy.acknowledge(patient_id)
    return patient_id


@router.post("/board/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request,
    services: ServicesDep,
    user: CsrfDep,
    alert_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    note: Annotated[str, Form(max_length=500)] = "",
    back: Annotated[Literal["board", "chart"], Form()] = "board",
) -> Response:
    """Acknowledge an alert from the board or the patient's chart (clinician or admin) with an
    optional note (stored beside the alert, never logged) and who acknowledged it, audited;
    back to the board, or to the chart when `back` is "chart"."""
    if user.role not in {Role.CLINICIAN, Role.ADMIN}:
        raise HTTPException(status_code=403, detail="only clinicians and admins acknowledge")
    patient_id = _acknowledge(services, alert_id, user.name)
    AccountStore(services.engine).add_alert_note(alert_id, user.name, note.strip())
    audit_page(services, request, user, patient_id)
    logger.info("alert %s acknowledged from the board", alert_id)
    if back == "chart":
        return RedirectResponse(f"/patients/{quote(patient_id, safe='')}", status_code=303)
    if request.headers.get("hx-request"):
        return board_table(request, services, user)
    return RedirectResponse("/", status_code=303)
