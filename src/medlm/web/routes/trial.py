"""The trial-report page at `/trials`: paste an abstract, see its sentences with their roles
(from its headings, or from the configured sentence-role model, named on the page) and the
facts read from it (design, size, population, arms, outcomes, effects)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from medlm.errors import MedlmError
from medlm.service.deps import AnalyzerDep, RoleModelDep
from medlm.web import i18n
from medlm.web.auth import CsrfDep, WebUserDep
from medlm.web.components.trial_view import trial_view
from medlm.web.templating import render

router = APIRouter()
ABSTRACT_FIELD = "abstract"
JOURNAL_FIELD = "journal"


@router.get("/trials", response_class=HTMLResponse)
def trial_form(request: Request, user: WebUserDep) -> HTMLResponse:
    """The empty form."""
    return render(request, "trial.html", {"abstract": "", "journal": "", "view": None, "error": ""})


@router.post("/trials", response_class=HTMLResponse)
async def trial_submit(
    request: Request, user: CsrfDep, analyzer: AnalyzerDep, role_model: RoleModelDep
) -> HTMLResponse:
    """The abstract's sentences with roles and its facts; the form again with the reason (422)
    for an empty or unreadable abstract."""
    form = await request.form()
    text = form.get(ABSTRACT_FIELD)
    text = text.replace("\r\n", "\n") if isinstance(text, str) else ""
    given = form.get(JOURNAL_FIELD)
    journal = given.strip()[:200] if isinstance(given, str) else ""
    locale = i18n.negotiate(request)
    if not text.strip():
        error = i18n.gettext(locale, "The field 'abstract' is empty: paste a trial abstract.")
        return render(
            request,
            "trial.html",
            {"abstract": "", "journal": journal, "view": None, "error": error},
            status_code=422,
        )
    try:
        view = await run_in_threadpool(trial_view, text, analyzer, role_model, journal)
    except MedlmError as exc:
        reason = i18n.gettext(locale, "The abstract could not be read")
        error = f"{reason}: {exc}"
        return render(
            request,
            "trial.html",
            {"abstract": text, "journal": journal, "view": None, "error": error},
            status_code=422,
        )
    context = {"abstract": text, "journal": journal, "view": view, "error": ""}
    return render(request, "trial.html", context)
