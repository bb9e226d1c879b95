"""Locale negotiation, catalogues, per-locale formatting, the language switch and the vendored
assets' recorded checksums."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.responses import HTMLResponse
from starlette.requests import Request

from medlm.web import i18n
from medlm.web.templating import render

VENDOR = Path(i18n.__file__).parent / "static" / "vendor"


def request(query: str = "", headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http", "method": "GET", "path": "/signin", "query_string": query.encode(),
        "headers": raw, "scheme": "http", "server": ("testserver", 80),
    }  # fmt: skip
    return Request(scope)


def text(response: HTMLResponse) -> str:
    return bytes(response.body).decode()


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("zh-CN", "zh_CN"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("zh", "zh_CN"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, zh-CN;q=0.7", "zh_CN"),
        ("fr-FR", None),
        ("zh-TW", None),
        ("", None),
        ("zh-CN;q=0", None),
    ],
)
def test_accept_language_picks_the_best_supported_locale(header: str, locale: str | None) -> None:
    assert i18n.from_accept_language(header) == locale


def test_lang_switch_wins_over_cookie_and_header() -> None:
    headers = {"Accept-Language": "en", "Cookie": "medlm_lang=en"}
    assert i18n.negotiate(request("lang=zh_CN", headers)) == "zh_CN"
    assert i18n.negotiate(request("", {"Accept-Language": "en", "Cookie": "medlm_lang=zh_CN"})) == (
        "zh_CN"
    )
    assert i18n.negotiate(request("lang=xx", {"Accept-Language": "zh-CN"})) == "zh_CN"
    assert i18n.negotiate(request()) == "en"


def test_a_lang_switch_is_remembered_in_a_cookie() -> None:
    response = render(request("lang=zh_CN"), "signin.html", {"signin_csrf": "t", "next_url": "/"})
    assert "medlm_lang=zh_CN" in response.headers["set-cookie"]
    assert '<html lang="zh-CN">' in text(response)


def test_the_top_bar_links_to_the_other_language() -> None:
    english = render(request(), "signin.html", {"signin_csrf": "t", "next_url": "/"})
    chinese = render(request("lang=zh_CN"), "signin.html", {"signin_csrf": "t", "next_url": "/"})
    assert 'href="?lang=zh_CN"' in text(english)
    assert 'href="?lang=en"' in text(chinese)


def test_gettext_translates_and_falls_back_to_the_msgid() -> None:
    assert i18n.gettext("zh_CN", "Ward board") == "病区看板"
    assert i18n.gettext("en", "Ward board") == "Ward board"
    assert i18n.gettext("zh_CN", "not in any catalogue") == "not in any catalogue"


def test_unsupported_locale_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="fr"):
        i18n.translations("fr")


def test_numbers_and_dates_are_formatted_per_locale() -> None:
    assert i18n.format_number("en", 1234.56) == "1,234.6"
    assert i18n.format_number("en", None) == "—"
    when = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    assert "2026" in i18n.format_datetime("zh_CN", when) and "年" in i18n.format_datetime(
        "zh_CN", when
    )
    assert "Mar" in i18n.format_datetime("en", when)
    assert i18n.format_timedelta("en", timedelta(hours=3)) == "3 hours"
    assert i18n.format_timedelta("zh_CN", timedelta(hours=3)) == "3小时"


def _catalogue(locale: str) -> dict[str, str | tuple[str, ...] | list[str] | None]:
    path = i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {str(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id}


def test_both_catalogues_hold_the_same_msgids_and_chinese_is_translated() -> None:
    english, chinese = _catalogue("en"), _catalogue("zh_CN")
    assert set(english) == set(chinese)
    untranslated = [k for k, v in chinese.items() if not (v and all(v))]
    assert untranslated == []


def test_vendored_files_match_their_recorded_sha256() -> None:
    recorded = dict(
        re.findall(
            r"^\| (\S+\.js) \|.*\| ([0-9a-f]{64}) \|$", (VENDOR / "VENDORED.md").read_text(), re.M
        )
    )
    assert set(recorded) == {p.name for p in VENDOR.glob("*.js")}
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest
