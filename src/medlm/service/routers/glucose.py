"""Routes for glucose monitoring: ingest readings (JSON items or FHIR Observations) and read a
patient's readings with the consensus CGM metrics over a window.

The durable glucose monitor (`medlm.monitor.glucose.store.DurableGlucose`) is built once with the
app's services (`medlm.service.services`); its alerts go to the alert table every signal shares,
so `GET /v1/alerts` and its live stream carry them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from medlm import DISCLAIMER
from medlm.errors import MedlmError
from medlm.monitor.alerts import VitalAlert
from medlm.monitor.glucose.metrics import CgmMetrics, cgm_metrics
from medlm.monitor.glucose.observations import glucose_readings
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.store import stored_glucose
from medlm.records.glucose_lines import read_glucose_items
from medlm.records.loose_observations import read_observation_resources
from medlm.records.report import Rejection
from medlm.service.auth import audit_on_commit, audit_patients
from medlm.service.batch_limit import check_batch
from medlm.service.deps import GlucoseDep, ServicesDep, SettingsDep
from medlm.service.responses import READS_BODY, errors

router = APIRouter(prefix="/v1", tags=["glucose"])

READINGS, OBSERVATIONS = "readings", "observations"


class GlucoseRequest(BaseModel):
    """A batch of glucose readings and/or FHIR R4 glucose Observations (at least one item)."""

    model_config = ConfigDict(extra="forbid")

    readings: list[dict[str, Any]] = Field(
        default_factory=list,
        description='Readings: {"patient_id", "time" (ISO 8601 with zone), "glucose", "unit" '
        '("mg/dL" or "mmol/L"), "source"? (cgm, capillary, venous, plasma, blood, unknown)}.',
    )
    observations: list[dict[str, Any]] = Field(
        default_factory=list,
        description="FHIR R4 Observations with a glucose code (incl. the HL7 CGM implementation "
        "guide's sensor readings; its summary Observations are skipped with a note).",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> GlucoseRequest:
        if not self.readings and not self.observations:
            raise ValueError("give at least one item in 'readings' or 'observations'")
        return self


class GlucoseResponse(BaseModel):
    accepted: list[GlucoseReading] = Field(description="Readings stored by this batch (mg/dL).")
    duplicates: int = Field(description="Readings already stored (re-sent): not stored again.")
    alerts: list[VitalAlert]
    rejected: list[Rejection] = Field(
        description="Items or values not accepted; `field` is the path in the request body "
        "('readings.2.unit', 'observations.0.Observation.valueQuantity.unit')."
    )
    notes: list[str] = Field(default_factory=list)
    disclaimer: str = DISCLAIMER


class PatientGlucose(BaseModel):
    patient_id: str
    readings: list[GlucoseReading]
    cgm_metrics: CgmMetrics
    disclaimer: str = DISCLAIMER


def _at_path(rejection: Rejection, kind: str, index: int | None) -> Rejection:
    """The rejection with `position` its index in the request list and `field` its path there."""
    where = kind if index is None else f"{kind}.{index}"
    field = f"{where}.{rejection.field}" if rejection.field else where
    return rejection.model_copy(update={"position": index, "field": field})


def _observation_index(body: Sequence[dict[str, Any]], rejection: Rejection) -> int | None:
    if rejection.position is not None:
        return rejection.position
    matches = [i for i, r in enumerate(body) if r.get("id") == rejection.resource_id]
    return matches[0] if len(matches) == 1 else None


@router.post("/glucose", responses=errors(*READS_BODY))
def post_glucose(
    body: GlucoseRequest,
    glucose: GlucoseDep,
    services: ServicesDep,
    settings: SettingsDep,
    request: Request,
) -> GlucoseResponse:
    """Check, alert on and store a batch of readings; the answer comes once it is on disk, with
    its audit entry written in the same transaction.

    Items that cannot be read, and values the records boundary refuses (unit, plausibility,
    future time), are answered in `rejected` with their path; the rest are processed. More
    items than `limits.max_batch_items` answer 413."""
    check_batch(len(body.readings) + len(body.observations), settings.limits, "glucose")
    skew = glucose.clock_skew.total_seconds() / 60
    from_items = read_glucose_items(
        enumerate(body.readings), source=READINGS, prefix=f"{READINGS}.", clock_skew_minutes=skew
    )
    from_fhir = glucose_readings(read_observation_resources(body.observations, source=OBSERVATIONS))
    rejected = [_at_path(r, READINGS, r.position) for r in from_items.report.rejections]
    rejected += [
        _at_path(r, OBSERVATIONS, _observation_index(body.observations, r))
        for r in from_fhir.report.rejections
    ]
    readings = [*from_items.readings, *from_fhir.readings]
    audit_patients(request, [r.patient_id for r in readings])
    try:
        batch = glucose.ingest(
            readings,
            source="api",
            refused=rejected,
            on_commit=audit_on_commit(request, services),
        )
    except MedlmError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    unnamed = [r for r in rejected if not r.patient_id]  # not quarantined: no patient to file
    return GlucoseResponse(
        accepted=batch.readings,
        duplicates=batch.duplicates,
        alerts=batch.alerts,
        rejected=[*unnamed, *batch.rejected],
        notes=[*from_items.report.notes, *from_fhir.report.notes],
    )


@router.get(
    "/patients/{patient_id}/glucose",
    responses=errors(422, notes={404: "No glucose readings stored for this patient."}),
)
def get_patient_glucose(
    patient_id: str,
    glucose: GlucoseDep,
    start: Annotated[
        AwareDatetime | None, Query(description="Window start (inclusive, with zone).")
    ] = None,
    end: Annotated[AwareDatetime | None, Query(description="Window end (exclusive).")] = None,
) -> PatientGlucose:
    """A patient's stored readings in [start, end) (default: all) and the consensus CGM metrics
    over that window; 404 when there are none."""
    if start is not None and end is not None and end <= start:
        raise HTTPException(status_code=422, detail="'end' must be after 'start'")
    try:
        readings = stored_glucose(glucose.engine, patient_id, start=start, end=end)
    except MedlmError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    if not readings:
        raise HTTPException(
            status_code=404, detail=f"no glucose readings stored for {patient_id!r}"
        )
    metrics = cgm_metrics(readings, start=start, end=end)
    return PatientGlucose(patient_id=patient_id, readings=readings, cgm_metrics=metrics)


__all__ = ["router"]
