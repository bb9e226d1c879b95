"""Time at the records boundary: the as-of time, and whether a recorded value is still fresh.

Every application judges a patient at an as-of time (now for live use; `--as-of` on the CLI; the
CDS hook's time). A value recorded after the as-of time is not known yet; one older than its
concept's freshness window is stale: it is reported, never used silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from medlm.records.observation import Observation
from medlm.records.patient import Patient
from medlm.records.patient_record import PatientRecord


def resolve_as_of(as_of: datetime | date | None) -> datetime:
    """An aware as-of time: now (UTC) for None; a date is the end of that day in UTC."""
    if as_of is None:
        return datetime.now(UTC)
    if not isinstance(as_of, datetime):
        return datetime.combine(as_of, datetime.max.time(), tzinfo=UTC)
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)


def exact_time(value: datetime) -> datetime:
    """`value` if it carries a time zone and lies where UTC can hold it; ValueError otherwise.

    A stream of readings (vital signs) needs exact times: a naive time could be any zone.
    """
    if value.tzinfo is None:
        raise ValueError("time must carry a time zone (e.g. 2026-01-01T08:00:00Z)")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("time is outside the range of UTC dates (years 1-9999)") from None
    return value


def aware(when: datetime) -> datetime:
    """A recorded time made comparable: naive times (dates without a zone) are read as UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def deceased_reason(patient: Patient, as_of: datetime) -> str | None:
    """Why no application may judge this patient at `as_of` (died by then, date named), or None."""
    if patient.alive_on(as_of.date()):
        return None
    if patient.deceased_on is None:
        return f"patient {patient.id} is recorded as deceased (date of death not recorded)"
    return f"patient {patient.id} died on {patient.deceased_on.isoformat()}"


def freshness_window(concept: str, overrides: Mapping[str, float] | None = None) -> float | None:
    """Days a value of `concept` stays usable: the settings override, else the value set's
    default (`knowledge/concepts`, cited where a guideline gives one); None means no limit."""
    from medlm.knowledge.concepts import load_concepts

    if overrides and concept in overrides:
        return overrides[concept]
    library = load_concepts()
    return library.freshness_days(concept) if concept in library.observations else None


class Reading(NamedTuple):
    """The latest value of a concept at an as-of time: fresh, stale, or absent."""

    observation: Observation | None  # the latest value, when fresh enough to use
    stale: Observation | None  # the latest value, when older than the freshness window
    note: str | None  # why nothing usable was found, for the output's "could not check" list


def latest_reading(
    record: PatientRecord,
    concept: str,
    *,
    as_of: datetime,
    freshness_days: float | None,
    label: str | None = None,
) -> Reading:
    """The latest usable value of `concept` known at `as_of`, judged against its freshness.

    Values dated after `as_of` are ignored (they were not known then); an undated value is
    used only when no dated one exists, and says so in the note. `freshness_days` None means
    no limit.
    """
    name = label or concept.replace("_", " ")
    known = [
        o
        for o in record.observations_of(concept)
        if o.effective is None or aware(o.effective) <= as_of
    ]
    if not known:
        return Reading(None, None, f"no {name} recorded")
    latest = max(known, key=lambda o: (o.effective is not None, _stamp(o)))
    if latest.effective is None:
        return Reading(latest, None, f"{name} has no date; its age could not be checked")
    age = as_of - aware(latest.effective)
    if freshness_days is not None and age > timedelta(days=freshness_days):
        note = (
            f"{name} from {latest.effective.date().isoformat()} is stale: older than "
            f"{freshness_days:g} days at {as_of.date().isoformat()}, not used"
        )
        return Reading(None, latest, note)
    return Reading(latest, None, None)


def _stamp(obs: Observation) -> float:
    return aware(obs.effective).timestamp() if obs.effective is not None else float("-inf")
