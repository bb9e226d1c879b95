"""The ward board at `/`: every monitored patient with the latest set, NEWS2, trends and alerts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from medlm.web.auth import WebUserDep
from medlm.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def board_page(request: Request, user: WebUserDep) -> HTMLResponse:
    """The ward board."""
    return render(request, "board.html", {"rows": []})
