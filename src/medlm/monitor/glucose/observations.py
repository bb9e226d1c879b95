"""Glucose records to `GlucoseReading`s, each with the kind of sample its code names.

The records boundary has already given every glucose Observation the concept `glucose` and its
value in mg/dL (`medlm.records.normalize`, from mg/dL or mmol/L through the cited molar mass).
Here each one becomes a reading; the kind of sample comes from the code's LOINC System axis as
the value set writes it (`knowledge/concepts/labs.yaml`): 'Interstitial fluid' is a continuous
glucose monitor, 'Capillary blood' a point-of-care meter, 'Serum or Plasma' and 'Blood' the
laboratory. A reading source given with the input (JSON lines, the API's `source`) wins.

What cannot be a reading is never dropped silently: a glucose Observation without an exact time
(a zone), with a bound instead of a value ('<40') or marked entered-in-error is a Rejection;
another kind of Observation is a Rejection too, except the HL7 CGM implementation guide's summary
Observations (mean glucose, times in ranges), which are skipped with a note because medlm
computes its summaries from the readings (`medlm.monitor.glucose.metrics`).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from medlm.knowledge.concepts import load_concepts
from medlm.monitor.glucose.readings import GlucoseReading, GlucoseSource
from medlm.records.coding import Coding
from medlm.records.observation import Observation
from medlm.records.patient_record import PatientRecord
from medlm.records.report import IngestReport, Rejection

GLUCOSE = "glucose"  # the value-set concept

# LOINC System axis (as written in the value set's displays) -> kind of sample; most specific
# first, since 'in Blood' is also the end of 'in Capillary blood'.
_SYSTEM_AXIS: tuple[tuple[str, GlucoseSource], ...] = (
    (" in interstitial fluid", "cgm"),
    (" in capillary blood", "capillary"),
    (" in venous blood", "venous"),
    (" in serum or plasma", "plasma"),
    (" in blood", "blood"),
)

# The CGM implementation guide's summary codes: its temporary code system (under the published
# guide's URL and under the Argonaut draft's) and the LOINC codes its summary profiles and its
# ConceptMap CGMSummaryToLoinc name: 107931-8 / 104643-2 CGM summary report, 97507-8 and
# 105273-7 mean glucose (mass, moles), 104642-4 time very low, 97510-2 time in target.
# HL7 FHIR Continuous Glucose Monitoring IG 1.0.0 (STU 1), https://hl7.org/fhir/uv/cgm/ (the
# ConceptMap as published with the 1.0.0 ballot); a summary code not listed here is rejected as
# "not a glucose Observation", never read as a reading.
_CGM_SUMMARY_SYSTEMS = (
    "http://hl7.org/fhir/uv/cgm/CodeSystem/",
    "http://hl7.org/uv/cgm/CodeSystem/",
    "https://tx.argo.run/cgm-summary",
)
_CGM_SUMMARY_LOINC = frozenset(
    {"107931-8", "104643-2", "97507-8", "105273-7", "104642-4", "97510-2"}
)


class GlucoseIngest(BaseModel):
    """Readings from one input, and the input's report (records, rejections, notes)."""

    readings: list[GlucoseReading] = Field(default_factory=list)
    report: IngestReport


def source_of(code: Coding) -> GlucoseSource:
    """The kind of sample a glucose code names ('unknown' for a code outside the value set)."""
    concept = load_concepts().observations.get(GLUCOSE)
    for listed in concept.codes if concept else ():
        if listed.uri == code.system and listed.code == code.code:
            display = f" {listed.display or ''}".lower()
            for axis, kind in _SYSTEM_AXIS:
                if axis in display:
                    return kind
    return "unknown"


def is_cgm_summary(code: Coding) -> bool:
    """True for a summary Observation code of the HL7 CGM implementation guide."""
    if code.system.startswith(_CGM_SUMMARY_SYSTEMS):
        return True
    return code.system == "http://loinc.org" and code.code in _CGM_SUMMARY_LOINC


def glucose_readings(
    report: IngestReport, *, sources: Mapping[str, GlucoseSource] | None = None
) -> GlucoseIngest:
    """Every glucose Observation of the report's records as a reading, in time order.

    `sources` maps an Observation id to the kind of sample given with the input; otherwise the
    code says it. The report gets a Rejection for each Observation that cannot be a reading.
    """
    readings: list[GlucoseReading] = []
    summaries: set[str] = set()
    for record in report.records:
        for obs in record.observations:
            if obs.concept != GLUCOSE and is_cgm_summary(obs.code):
                summaries.add(obs.group or obs.id or f"#{len(summaries)}")
                continue
            outcome = _reading(record, obs, (sources or {}).get(obs.id or ""))
            if isinstance(outcome, Rejection):
                _reject(report, outcome)
            else:
                readings.append(outcome)
    if summaries:
        report.notes.append(
            f"{len(summaries)} CGM summary Observation(s) skipped: summaries are computed from "
            "the readings"
        )
    readings.sort(key=lambda r: (r.patient_id, r.time))
    return GlucoseIngest(readings=readings, report=report)


def _reading(
    record: PatientRecord, obs: Observation, given: GlucoseSource | None
) -> GlucoseReading | Rejection:
    problem = _problem(obs)
    if problem is not None:
        field, value, reason = problem
        return Rejection(
            resource_id=obs.id,
            resource_type="Observation",
            patient_id=record.patient.id,
            field=field,
            value=value,
            time=obs.effective,
            reason=reason,
        )
    assert obs.value is not None and obs.effective is not None  # checked by _problem
    shown = obs.original_value if obs.original_value is not None else obs.value
    unit = obs.original_unit or obs.unit
    return GlucoseReading(
        patient_id=record.patient.id,
        time=obs.effective,
        mg_dl=obs.value,
        source=given or source_of(obs.code),
        reported=f"{shown:g} {unit}",
        origin=obs.id,
    )


def _problem(obs: Observation) -> tuple[str, str | None, str] | None:
    """(field, value, reason) when the Observation cannot be a glucose reading, else None."""
    if obs.concept != GLUCOSE:
        return "Observation.code", str(obs.code), "not a glucose Observation"
    if not obs.is_usable:
        return "Observation.status", obs.status.value, "a withdrawn result is not a reading"
    if obs.value is None:
        return "Observation.valueQuantity", None, "a glucose reading needs a numeric value"
    if obs.comparator is not None:
        shown = f"{obs.comparator}{obs.original_value or obs.value:g}"
        return "Observation.valueQuantity.comparator", shown, "a bound is not a reading"
    if obs.value <= 0:
        return "Observation.valueQuantity.value", f"{obs.value:g}", "glucose must be above 0"
    if obs.effective is None or obs.effective.tzinfo is None:
        when = obs.effective.isoformat() if obs.effective else None
        return "Observation.effective", when, "a reading needs a time with a time zone"
    return None


def _reject(report: IngestReport, rejection: Rejection) -> None:
    report.rejections.append(rejection)
    counter = report.count("Observation")
    counter.accepted = max(0, counter.accepted - 1)
    counter.rejected += 1
