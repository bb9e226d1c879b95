"""FHIR date and dateTime text to and from Python dates, without guessing a time zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from medlm.errors import ValidationError

_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def parse_date(text: str) -> date:
    """A full FHIR date ('YYYY-MM-DD', or the date part of a dateTime); partial dates refused."""
    if _FULL_DATE.match(text):
        return date.fromisoformat(text)
    if "T" in text:
        return datetime.fromisoformat(text).date()
    raise ValueError(f"partial date {text!r}: medlm needs a full date (YYYY-MM-DD)")


def parse_datetime(text: str) -> datetime:
    """A FHIR dateTime as a datetime (a date alone is naive midnight; partial dates refused)."""
    if _FULL_DATE.match(text):
        return datetime.combine(date.fromisoformat(text), time(0, 0))
    if "T" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    raise ValueError(f"partial date {text!r}: medlm needs a full date (YYYY-MM-DD)")
