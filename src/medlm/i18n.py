"""medlm's message catalogues (English and Simplified Chinese) and per-locale formatting.

Catalogues are read at run time from `medlm/locales/<locale>/LC_MESSAGES/messages.po`,
compiled in memory with Babel and cached, so there is no build step. The web app, the glucose
report and the ambulatory glucose profile translate through them; generated clinical sentences
(`medlm.messages`: risk reasons, population notes, safety issues, recommendations) are rendered
per locale by `message_parts` (catalogue entry: msgctxt = template id, msgid = English text).
"""

from __future__ import annotations

import gettext as gettext_module
import re
from datetime import datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta as babel_format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from medlm.messages import PLACEHOLDER, MessageRef, template

SUPPORTED = ("en", "zh_CN")
DEFAULT = "en"
LOCALES_DIR = Path(__file__).parent / "locales"


def normalize(tag: str) -> str | None:
    """The supported locale a language tag (`zh-CN`, `zh_Hans_CN`, `en-GB`, `zh`) maps to."""
    tag = tag.strip().replace("-", "_")
    if not tag:
        return None
    try:
        parsed = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        return None
    if (
        parsed.language == "zh"
        and parsed.territory in (None, "CN", "SG")
        and parsed.script
        in (
            None,
            "Hans",
        )
    ):
        return "zh_CN"
    if parsed.language == "en":
        return "en"
    return None


def from_accept_language(header: str) -> str | None:
    """The best supported locale of an `Accept-Language` header (q-values honoured)."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        locale = normalize(tag)
        if locale is not None and quality > 0:
            choices.append((-quality, index, locale))
    return min(choices)[2] if choices else None


@lru_cache(maxsize=len(SUPPORTED))
def translations(locale: str) -> gettext_module.NullTranslations:
    """The compiled catalogue of a supported locale (cached for the process)."""
    if locale not in SUPPORTED:
        raise ValueError(f"locale {locale!r} is not one of {', '.join(SUPPORTED)}")
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext(locale: str, msgid: str) -> str:
    """`msgid` translated into `locale` (the msgid itself when untranslated)."""
    return translations(locale).gettext(msgid)


def ngettext(locale: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message in `locale`."""
    return translations(locale).ngettext(singular, plural, n)


@lru_cache(maxsize=len(SUPPORTED))
def babel_locale(locale: str) -> Locale:
    """The parsed Babel locale (parsed once: Babel's formatters are slow on locale strings)."""
    return Locale.parse(locale)


@lru_cache(maxsize=4096)
def format_number(locale: str, value: float | int | None, digits: int = 1) -> str:
    """A number formatted per locale with at most `digits` decimals; an em dash when missing."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale(locale))


def format_datetime(locale: str, value: datetime | None) -> str:
    """A date and time formatted per locale (medium length); an em dash when missing."""
    if value is None:
        return "—"
    return babel_format_datetime(value, format="medium", locale=babel_locale(locale))


def html_lang(locale: str) -> str:
    """The BCP 47 tag for the `lang` attribute of a page in `locale`."""
    return locale.replace("_", "-")


def format_timedelta(locale: str, value: timedelta | None) -> str:
    """A duration in words per locale ("3 hours", "3小时"); an em dash when missing."""
    if value is None:
        return "—"
    return babel_format_timedelta(value, threshold=1.5, locale=babel_locale(locale))


class MessagePart(NamedTuple):
    """A piece of a rendered message; `english` when it is shown untranslated (lang="en")."""

    text: str
    english: bool = False


_SPEC = re.compile(r"^(?P<sign>\+)?(?:\.(?P<digits>\d+))?(?P<kind>[fgd]?)$")


@lru_cache(maxsize=256)
def _number_pattern(spec: str) -> str:
    """The Babel pattern of a Python format spec ('+.2f', '.0f', 'g', 'd')."""
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(f"format spec {spec!r} has no per-locale form")
    digits = int(match["digits"] or 0)
    if match["kind"] == "f":
        body = "#,##0" + ("." + "0" * digits if digits else "")
    elif match["kind"] == "d":
        body = "#,##0"
    else:
        body = "#,##0.######"
    return f"+{body};-{body}" if match["sign"] else body


def format_param(locale: str, value: float | int, spec: str) -> str:
    """A message's number per locale: the English spec's decimals and sign, Babel's symbols."""
    if locale == "en":
        return format(value, spec)
    return format_decimal(value, format=_number_pattern(spec), locale=babel_locale(locale))


def message_parts(locale: str, ref: MessageRef) -> list[MessagePart]:
    """`ref` rendered in `locale`: the catalogue's sentence with its parameters per locale.

    Numbers follow the template's spec with the locale's symbols; terms come from the locale's
    glossary (English, marked, when it has none); quoted text stays English; a template the
    catalogue does not translate is the whole English sentence, marked English, unless it has
    no words of its own (`MessageTemplate.neutral`)."""
    tmpl = template(ref.id)
    translated = translations(locale).pgettext(ref.id, tmpl.text) if tmpl.text else ""
    if locale != DEFAULT and translated == tmpl.text and not tmpl.neutral:
        return [MessagePart(message_text(DEFAULT, ref), english=True)]
    parts: list[MessagePart] = []
    for i, piece in enumerate(PLACEHOLDER.split(translated)):
        if i % 2 == 0:
            parts += [MessagePart(piece)] if piece else []
            continue
        value = ref.params[piece]
        if isinstance(value, MessageRef):
            parts += message_parts(locale, value)
        elif isinstance(value, float | int):
            parts.append(MessagePart(format_param(locale, value, tmpl.spec(piece, value))))
        elif piece in tmpl.quoted:
            parts.append(MessagePart(value, english=locale != DEFAULT))
        elif piece in tmpl.terms:
            parts.append(term_part(locale, value))
        else:
            parts.append(MessagePart(value))
    return parts


def term_part(locale: str, value: str) -> MessagePart:
    """A clinical term from the locale's glossary (underscores read as spaces), else English."""
    if locale == DEFAULT or not value:
        return MessagePart(value)
    from medlm.knowledge.glossary import load_glossary

    glossary = load_glossary(locale)
    for candidate in (value, value.replace("_", " ")):
        try:
            return MessagePart(glossary.lookup(candidate))
        except KeyError:
            continue
    return MessagePart(value, english=True)


def message_text(locale: str, ref: MessageRef) -> str:
    """`ref` as plain text in `locale` (English pieces unmarked)."""
    return "".join(part.text for part in message_parts(locale, ref))
