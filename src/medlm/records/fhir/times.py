"""FHIR date and dateTime text to and from Python dates, without guessing a time zone.

Partial dates ('1970', '1970-06') are valid FHIR. medlm reads them as the first day of the
period they name (1970-01-01, 1970-06-01) and says so: `partial_date_note` gives the line the
reader adds to the report. The first day is a documented convention, not a guess at the true
day; for a birth date it can make the patient up to a year (or a month) older than they are.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from medlm.errors import ValidationError

_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def format_datetime(value: datetime, what: str) -> str:
    """A FHIR dateTime: the date alone for a naive midnight, else a full time with its zone.

    FHIR requires a zone whenever a time is given, so a naive datetime with a time of day is
    refused (naming `what`) rather than given an invented zone.
    """
    if value.tzinfo is not None:
        return value.isoformat()
    if value.time() == time(0, 0):
        return value.date().isoformat()
    raise ValidationError(
        f"{what}: time {value.isoformat()} has no time zone, which FHIR requires; "
        "give an aware datetime or a date",
        record=what,
        field="effective",
    )


def is_partial(text: str) -> bool:
    """True for a FHIR partial date: a year ('1970') or a year and month ('1970-06')."""
    return _PARTIAL_DATE.match(text) is not None


def _first_day(text: str) -> date:
    match = _PARTIAL_DATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return date(int(match[1]), int(match[2] or 1), 1)


def partial_date_note(path: str, text: str) -> str:
    """The report line for a partial date read as the first day of its period."""
    return f"{path} {text!r} is a partial date; read as {_first_day(text)}, the first day of it"


def parse_date(text: str) -> date:
    """A FHIR date ('YYYY-MM-DD', or the date part of a dateTime); a partial date is read as
    the first day of its period (see the module docstring)."""
    if _FULL_DATE.match(text):
        return date.fromisoformat(text)
    if "T" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    return _first_day(text)


def parse_datetime(text: str) -> datetime:
    """A FHIR dateTime as a datetime (a date alone is naive midnight; a partial date the first
    day of its period)."""
    if _FULL_DATE.match(text):
        return datetime.combine(date.fromisoformat(text), time(0, 0))
    if "T" in text:
        return _in_utc_range(datetime.fromisoformat(text.replace("Z", "+00:00")), text)
    return datetime.combine(_first_day(text), time(0, 0))


def _in_utc_range(value: datetime, text: str) -> datetime:
    """`value`, or ValueError when it cannot be expressed in UTC (year 1 or 9999 with an offset)."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"time {text!r} is outside the range a UTC time can hold") from None
    return value
