"""Page rendering: one Jinja2 environment per locale (autoescaped, `jinja2.ext.i18n` bound to the
locale's catalogue) and `render(request, template_name, context)`.

Templates reach `_`, `gettext`, `ngettext`, `format_number`, `format_datetime`,
`format_timedelta`, `alert_text` (an alert as a sentence in the locale), `csrf_token`,
`current_user`, `locale` and `html_lang`. A `?lang=` switch is remembered in the `medlm_lang`
cookie on the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

from medlm.web import i18n
from medlm.web.components.alert_text import AlertFields, alert_sentence

TEMPLATES_DIR = Path(__file__).parent / "templates"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


@lru_cache(maxsize=len(i18n.SUPPORTED))
def environment(locale: str) -> Environment:
    """The template environment of `locale` (built once per locale and process)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        locale=locale,
        html_lang=i18n.html_lang(locale),
        format_number=partial(i18n.format_number, locale),
        format_datetime=partial(i18n.format_datetime, locale),
        format_timedelta=partial(i18n.format_timedelta, locale),
        alert_text=partial(_alert_text, locale),
    )
    return env


def _alert_text(locale: str, alert: Any) -> str:
    """An alert (any object with signal, kind, level, response) as a sentence in `locale`."""
    fields = AlertFields.model_validate(alert, from_attributes=True)
    return alert_sentence(
        fields,
        partial(i18n.gettext, locale),
        partial(i18n.format_number, locale),
        partial(i18n.ngettext, locale),
    )


def csrf_token(request: Request) -> str:
    """The signed-in session's CSRF token (empty without a session)."""
    return str(getattr(request.state, "csrf_token", "") or "")


def current_user(request: Request) -> Any:
    """The signed-in `WebUser`, or None."""
    return getattr(request.state, "web_user", None)


def render_string(request: Request, template_name: str, context: Mapping[str, Any]) -> str:
    """A template rendered to text in the request's locale."""
    locale = i18n.negotiate(request)
    template = environment(locale).get_template(template_name)
    return template.render(
        request=request,
        csrf_token=csrf_token(request),
        current_user=current_user(request),
        now=datetime.now(),
        **context,
    )


def remember_locale(request: Request, response: HTMLResponse) -> None:
    """Store a `?lang=` switch in the `medlm_lang` cookie."""
    chosen = request.query_params.get("lang")
    if chosen in i18n.SUPPORTED:
        response.set_cookie(
            i18n.LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


def render(
    request: Request,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """An HTML response of `template_name` rendered in the request's locale."""
    body = render_string(request, template_name, context or {})
    response = HTMLResponse(body, status_code=status_code)
    remember_locale(request, response)
    return response
