"""Options several command groups share: the as-of time every application judges a patient at."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from medlm.errors import InputError
from medlm.records.timing import resolve_as_of

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Judge the records at this ISO date (the end of that day, UTC) or date-time "
        "(default: now).",
    ),
]


def as_of_time(text: str | None) -> datetime:
    """The aware as-of time an `--as-of` value names (now when None); InputError otherwise."""
    if text is None:
        return resolve_as_of(None)
    try:
        when: datetime | date = (
            datetime.fromisoformat(text.replace("Z", "+00:00"))
            if "T" in text
            else date.fromisoformat(text)
        )
    except ValueError:
        raise InputError(
            f"--as-of {text!r} is not an ISO date (2024-05-01) or date-time (2024-05-01T09:30)"
        ) from None
    return resolve_as_of(when)
