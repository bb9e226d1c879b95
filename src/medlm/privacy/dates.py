"""Per-patient date shifting: parse a date, move it by the patient's offset, keep its format."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, timedelta

_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_NUMERIC = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_FIRST = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]+)\.?(?:,?\s+(\d{4}))?$")
_NO_YEAR = 2000  # a leap year, so 29 February parses; never printed


def key_bytes(text: str) -> bytes:
    """UTF-8 bytes for keying; a lone surrogate (not valid Unicode) is kept as its own bytes so
    any text gives a fixed key instead of an error."""
    return text.encode("utf-8", errors="surrogatepass")


def patient_offset_days(secret: str, patient_id: str, max_days: int) -> int:
    """The patient's fixed shift in days, in [-max_days, max_days] without 0 (keyed HMAC)."""
    digest = hmac.new(key_bytes(secret), key_bytes(f"date-shift|{patient_id}"), hashlib.sha256)
    value = int.from_bytes(digest.digest()[:8], "big") % (2 * max_days)
    return value - max_days if value < max_days else value - max_days + 1


def _month(name: str) -> int | None:
    name = name.lower()
    for i, full in enumerate(_MONTHS, start=1):
        if len(name) >= 3 and full.startswith(name):
            return i
    return None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _moved(d: date | None, days: int) -> date | None:
    """`d` moved by `days`; None when there is no date or the result is outside years 1-9999."""
    if d is None:
        return None
    try:
        return d + timedelta(days)
    except OverflowError:
        return None


def shift_date_text(value: str, days: int) -> str | None:
    """`value` moved by `days`, written in its own format; None when it cannot be parsed or
    the shifted date would fall outside years 1-9999 (e.g. 01/01/0001 moved back)."""
    value = value.strip()
    if m := _ISO.match(value):
        s = _moved(_safe(int(m[1]), int(m[2]), int(m[3])), days)
        return None if s is None else s.isoformat()
    if m := _NUMERIC.match(value):
        year_text = m[4]
        year = _NO_YEAR if year_text is None else int(year_text)
        if year_text is not None and len(year_text) == 2:
            year += 2000 if year < 50 else 1900
        s = _moved(_safe(year, int(m[1]), int(m[3])), days)
        if s is None:
            return None
        out = f"{s.month:02d}{m[2]}{s.day:02d}"
        if year_text is not None:
            out += f"{m[2]}{f'{s.year:04d}' if len(year_text) == 4 else f'{s.year % 100:02d}'}"
        return out
    m = _MONTH_FIRST.match(value)
    parts = (m[1], m[2], m[3]) if m else None
    if parts is None and (m := _DAY_FIRST.match(value)):
        parts = (m[2], m[1], m[3])
    if parts is None or (month := _month(parts[0])) is None:
        return None
    d = _safe(_NO_YEAR if parts[2] is None else int(parts[2]), month, int(parts[1]))
    s = _moved(d, days)
    if s is None:
        return None
    out = f"{_MONTHS[s.month - 1].capitalize()} {s.day}"
    return out if parts[2] is None else f"{out}, {s.year:0{len(parts[2])}d}"
