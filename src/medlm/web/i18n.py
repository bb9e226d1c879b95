"""Locale negotiation of the web app; catalogues and formatting are `medlm.i18n`'s.

The locale comes from a `?lang=` switch (remembered in the `medlm_lang` cookie), else from
`Accept-Language`, else English.
"""

from __future__ import annotations

from starlette.requests import Request

from medlm.i18n import (
    DEFAULT,
    LOCALES_DIR,
    SUPPORTED,
    babel_locale,
    format_datetime,
    format_number,
    format_timedelta,
    from_accept_language,
    gettext,
    html_lang,
    ngettext,
    normalize,
    translations,
)

LANG_COOKIE = "medlm_lang"


def negotiate(request: Request) -> str:
    """The request's locale: `?lang=`, then the `medlm_lang` cookie, then Accept-Language."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in SUPPORTED:
            return candidate
    return from_accept_language(request.headers.get("accept-language", "")) or DEFAULT


__all__ = [
    "DEFAULT",
    "LANG_COOKIE",
    "LOCALES_DIR",
    "SUPPORTED",
    "babel_locale",
    "format_datetime",
    "format_number",
    "format_timedelta",
    "from_accept_language",
    "gettext",
    "html_lang",
    "negotiate",
    "ngettext",
    "normalize",
    "translations",
]
