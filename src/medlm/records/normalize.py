"""The records boundary's last step: concepts, canonical units, derived values and time checks.

Every reader in `medlm.records` passes its report through `normalize_report` before returning,
so applications see only records whose Observations carry a value-set concept and its canonical
unit, whose Conditions carry their concepts, and whose data is not from the future.

Per record, in order:
1. Time: an Observation, note, medication order or Condition timed after the as-of time plus the
   clock-skew allowance is removed and becomes a Rejection saying by how much.
2. Observations whose code is in a value set (`medlm.knowledge.concepts`) get `concept` and
   their value (and a comparator's bound) in the concept's canonical unit; what was recorded is
   kept in `original_value`/`original_unit`. An eGFR in mL/min becomes `egfr_unnormalized`. A
   unit the concept does not accept, or an implausible value, is a Rejection; the rest goes on.
   Observations whose code is in no value set are left as they are.
3. Conditions get `concepts` from their code, else from their display text (noted).
4. An eGFR is derived from creatinine when none is recorded (`medlm.records.derived`).
5. Pharmacogenomic results are resolved per gene (`medlm.records.pgx`).
Normalizing a normalized report changes nothing. Deceased patients are not rejected here: the
applications refuse them with the death date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from medlm.errors import UnitError
from medlm.knowledge.concepts import ConceptLibrary, load_concepts
from medlm.records.condition import Condition
from medlm.records.derived import derive_egfr
from medlm.records.observation import Observation
from medlm.records.patient_record import PatientRecord
from medlm.records.pgx import resolve_pharmacogenomics
from medlm.records.report import IngestReport, Rejection
from medlm.records.timing import aware, resolve_as_of
from medlm.records.units import accepted_unit, to_canonical


class Normalized(NamedTuple):
    """One record after normalization, with what was removed from it and what to note."""

    record: PatientRecord
    rejections: list[Rejection]
    notes: list[str]


def normalize_report(
    report: IngestReport, *, as_of: datetime | None = None, clock_skew_minutes: float = 5.0
) -> IngestReport:
    """The report with every record normalized; what cannot be normalized becomes a Rejection."""
    when = resolve_as_of(as_of)
    records: list[PatientRecord] = []
    for record in report.records:
        done = normalize_record(record, as_of=when, clock_skew_minutes=clock_skew_minutes)
        records.append(done.record)
        for rejection in done.rejections:
            counter = report.count(rejection.resource_type or "item")
            counter.accepted = max(0, counter.accepted - 1)
            counter.rejected += 1
        report.rejections.extend(done.rejections)
        report.notes.extend(n for n in done.notes if n not in report.notes)
    report.records = records
    return report


def normalize_record(
    record: PatientRecord,
    *,
    as_of: datetime | date | None = None,
    clock_skew_minutes: float = 5.0,
    library: ConceptLibrary | None = None,
) -> Normalized:
    """One record normalized (see the module docstring for the steps)."""
    when = resolve_as_of(as_of)
    library = library or load_concepts()
    out = _Collector(record.patient.id, when, timedelta(minutes=clock_skew_minutes))
    observations = [
        normalized
        for obs in record.observations
        if not out.future(obs, "Observation", "Observation.effective", obs.effective)
        if (normalized := _observation(obs, library, out)) is not None
    ]
    conditions = [
        _condition(c, library, out)
        for c in record.conditions
        if not out.future(c, "Condition", "Condition.onset", c.onset)
    ]
    notes = [
        n for n in record.notes if not out.future(n, "ClinicalNote", "ClinicalNote.date", n.date)
    ]
    requests = [
        m
        for m in record.medication_requests
        if not out.future(m, "MedicationRequest", "MedicationRequest.authoredOn", m.authored_on)
    ]
    updated = record.model_copy(
        update={
            "observations": observations,
            "conditions": conditions,
            "notes": notes,
            "medication_requests": requests,
            "pharmacogenomics": resolve_pharmacogenomics(record.pharmacogenomics),
        }
    )
    derived = derive_egfr(updated, as_of=when)
    if derived.observation is not None:
        updated.observations.append(derived.observation)
    if derived.note is not None:
        out.notes.append(derived.note)
    return Normalized(updated, out.rejections, out.notes)


class _Collector:
    """Rejections and notes about one patient, and the time limit."""

    def __init__(self, patient_id: str, as_of: datetime, skew: timedelta):
        self.patient_id, self.as_of, self.skew = patient_id, as_of, skew
        self.rejections: list[Rejection] = []
        self.notes: list[str] = []

    def reject(self, item: object, kind: str, field: str, value: str | None, reason: str) -> None:
        self.rejections.append(
            Rejection(
                resource_id=getattr(item, "id", None),
                resource_type=kind,
                patient_id=self.patient_id,
                field=field,
                value=value,
                time=getattr(item, "effective", None),
                reason=reason,
            )
        )

    def future(self, item: object, kind: str, field: str, when: datetime | date | None) -> bool:
        """True (and a Rejection) when `when` is beyond the as-of time plus the skew allowance."""
        if when is None:
            return False
        moment = aware(when) if isinstance(when, datetime) else _start_of(when)
        ahead = moment - self.as_of
        if ahead <= self.skew:
            return False
        minutes = self.skew.total_seconds() / 60
        reason = (
            f"timed {_stamp(when)}, {_duration(ahead)} after the as-of time "
            f"{_stamp(self.as_of)}, beyond the {minutes:g}-minute clock-skew allowance"
        )
        self.reject(item, kind, field, when.isoformat(), reason)
        return True


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _stamp(when: datetime | date) -> str:
    if not isinstance(when, datetime):
        return when.isoformat()
    return aware(when).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _duration(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.0f} h"
    return f"{minutes / 1440:.0f} days"


def _observation(obs: Observation, library: ConceptLibrary, out: _Collector) -> Observation | None:
    if obs.derived_from is not None and obs.concept is not None:
        return obs  # computed by medlm in the canonical unit; nothing was recorded
    concept = library.observations.get(obs.concept) if obs.concept else None
    concept = concept or library.observation_concept(obs.code)
    if concept is None:
        return obs
    if obs.value is None or concept.unit is None or obs.unit is None:
        return obs.model_copy(update={"concept": concept.key})
    if accepted_unit(concept, obs.unit) is None:
        for unit, other in concept.units_of_other_concepts.items():
            if accepted_unit(library.observation(other), obs.unit) == unit:
                concept = library.observation(other)
    kind, shown = "Observation", f"{obs.value:g} {obs.unit}"
    try:
        value = to_canonical(concept, obs.value, obs.unit)
    except UnitError as exc:
        out.reject(obs, kind, "Observation.valueQuantity.unit", shown, f"{concept.key}: {exc}")
        return None
    low, high = concept.plausible or (float("-inf"), float("inf"))
    if not low <= value <= high:
        reason = (
            f"{concept.display} {value:g} {concept.unit} is outside the plausible range "
            f"{low:g}-{high:g} {concept.unit} (input validation, not a clinical limit)"
        )
        out.reject(obs, kind, "Observation.valueQuantity.value", shown, reason)
        return None
    return obs.model_copy(
        update={
            "concept": concept.key,
            "value": value,
            "unit": concept.unit,
            "original_value": obs.original_value if obs.original_value is not None else obs.value,
            "original_unit": obs.original_unit or obs.unit,
        }
    )


def _condition(condition: Condition, library: ConceptLibrary, out: _Collector) -> Condition:
    concepts = library.condition_concepts(condition.code)
    if concepts:
        return condition.model_copy(update={"concepts": sorted(concepts), "mapped_from_text": None})
    text = condition.mapped_from_text or condition.text or condition.code.display
    concepts = library.conditions_from_text(text) if text else set()
    if not concepts:
        return condition.model_copy(update={"concepts": []})
    if condition.mapped_from_text is None:
        keys = ", ".join(sorted(concepts))
        out.notes.append(
            f"patient {out.patient_id}: condition {condition.code}: mapped from text "
            f"{text!r} to {keys}"
        )
    return condition.model_copy(update={"concepts": sorted(concepts), "mapped_from_text": text})
