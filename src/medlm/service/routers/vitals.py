"""Routes for vital-sign scoring and alerts: ingest a batch, read a patient's vitals and alerts,
and follow new alerts live as server-sent events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from medlm import DISCLAIMER
from medlm.errors import MedlmError
from medlm.monitor.alerts import VitalAlert
from medlm.monitor.fhir_bundle import to_fhir_bundle
from medlm.monitor.observations import vital_sets
from medlm.monitor.scoring import News2Result
from medlm.monitor.store import acknowledge_alert, alert_signal, stored_alerts, stored_sets
from medlm.monitor.stream import Assessment
from medlm.monitor.vitals import VitalSigns
from medlm.records import Rejection
from medlm.records.loose_observations import read_observation_resources
from medlm.records.vital_lines import SET_TYPE, read_vital_items
from medlm.service.auth import audit_on_commit, audit_patients
from medlm.service.batch_limit import check_batch
from medlm.service.deps import GlucoseDep, ServicesDep, SettingsDep, VitalsDep
from medlm.service.responses import READS_BODY, errors

router = APIRouter(prefix="/v1", tags=["vitals"])

MAX_ID = 2**63 - 1
"""Largest alert id the database can hold (SQL BIGINT); larger ids are a 422, not a 500."""


class VitalsRequest(BaseModel):
    """A batch of vital-sign sets and/or FHIR R4 Observations (LOINC-coded)."""

    model_config = ConfigDict(extra="forbid")

    vitals: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Vital-sign sets (fields of medlm's VitalSigns). A set read back from "
        "GET /v1/patients/{id}/vitals can be sent as it is: its `sources` (references of the "
        "Observations it was built from) are checked and not stored.",
    )
    observations: list[dict[str, Any]] = Field(
        default_factory=list, description="FHIR R4 Observation resources, incl. BP panels."
    )

    @model_validator(mode="after")
    def _not_empty(self) -> VitalsRequest:
        if not self.vitals and not self.observations:
            raise ValueError("give at least one item in 'vitals' or 'observations'")
        return self


class VitalsResponse(BaseModel):
    results: list[Assessment]
    alerts: list[VitalAlert]
    rejected: list[Rejection] = Field(
        description="Values not scored (implausible, conflicting, wrong unit, timed in the future)."
    )
    errors: list[Rejection] = Field(
        description="Items that could not be read: `resource_type` VitalSigns (a `vitals` item) "
        "or Observation, `position` its index in that list."
    )
    fhir: dict[str, Any] | None = Field(
        default=None,
        description="With ?fhir=true: a FHIR R4 collection Bundle of the NEWS2 Observations "
        "(complete scores) and one DetectedIssue per alert.",
    )
    disclaimer: str = DISCLAIMER


class PatientVitals(BaseModel):
    patient_id: str
    vitals: list[VitalSigns]
    news2: list[News2Result]


class StoredAlertOut(BaseModel):
    id: int
    alert: VitalAlert


def _read_back_sources(items: list[Any]) -> tuple[list[tuple[int, Any]], list[Rejection]]:
    """The `vitals` items with their positions, `sources` taken out of each set that carries it
    (a set read back from the service); a `sources` that is not a list of strings is an error of
    that item."""
    kept: list[tuple[int, Any]] = []
    bad: list[Rejection] = []
    for position, item in enumerate(items):
        if isinstance(item, dict) and "sources" in item:
            sources = item["sources"]
            if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
                pid = item.get("patient_id")
                bad.append(
                    Rejection(
                        position=position,
                        resource_type=SET_TYPE,
                        patient_id=pid if isinstance(pid, str) else None,
                        field="sources",
                        reason="sources must be a list of Observation references (strings)",
                    )
                )
                continue
            item = {k: v for k, v in item.items() if k != "sources"}
        kept.append((position, item))
    return kept, bad


@router.post("/vitals", responses=errors(*READS_BODY))
def post_vitals(
    body: VitalsRequest,
    service: VitalsDep,
    services: ServicesDep,
    settings: SettingsDep,
    request: Request,
    fhir: Annotated[bool, Query(description="Also answer the results as FHIR R4.")] = False,
) -> VitalsResponse:
    """Score, alert and store a batch; the response comes once the batch is on disk, with its
    audit entry written in the same transaction.

    Items that cannot be read are listed in `errors` by position; the rest are processed.
    More items than `limits.max_batch_items` answer 413."""
    check_batch(len(body.vitals) + len(body.observations), settings.limits, "vitals")
    skew = service.clock_skew_minutes
    items, bad_sources = _read_back_sources(body.vitals)
    from_sets = read_vital_items(items, source="vitals", prefix="vitals", clock_skew_minutes=skew)
    from_fhir = read_observation_resources(body.observations, source="observations")
    sets, unusable = vital_sets([*from_sets.records, *from_fhir.records], strict=True)
    # Items that could not be read at all are `errors`; values refused inside a readable item
    # (by the boundary or the monitor) are quarantined and answered as `rejected`.
    unreadable = [*bad_sources, *(r for r in from_sets.rejections if r.resource_type == SET_TYPE)]
    unreadable.sort(key=lambda r: r.position or 0)
    unreadable += [r for r in from_fhir.rejections if r.position is not None]
    unread = {id(r) for r in unreadable}
    refused = [r for r in [*from_sets.rejections, *from_fhir.rejections] if id(r) not in unread]
    refused += unusable
    audit_patients(request, [s.patient_id for s in sets])
    try:
        with service.lock:
            report = service.durable.ingest(
                sets, refused=refused, on_commit=audit_on_commit(request, services)
            )
    except MedlmError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    bundle = None
    if fhir:
        sources = {(s.patient_id, s.time.astimezone(UTC)): s.sources for s in sets}
        table = service.durable.monitor.table
        bundle, _ = to_fhir_bundle(report.assessments, report.alerts, table, sources)
    return VitalsResponse(
        results=report.assessments,
        alerts=report.alerts,
        rejected=report.rejected,
        errors=unreadable,
        fhir=bundle,
    )


@router.get(
    "/patients/{patient_id}/vitals",
    responses=errors(422, notes={404: "No vital signs stored for this patient."}),
)
def get_patient_vitals(
    patient_id: str, service: VitalsDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> PatientVitals:
    """A patient's newest stored sets (oldest first) with their NEWS2."""
    from medlm.monitor.scoring import score_news2

    sets = stored_sets(service.durable.engine, patient_id, limit=limit)
    if not sets:
        raise HTTPException(status_code=404, detail=f"no vital signs stored for {patient_id!r}")
    table = service.durable.monitor.table
    return PatientVitals(
        patient_id=patient_id, vitals=sets, news2=[score_news2(v, table) for v in sets]
    )


@router.get("/alerts", responses=errors(422))
def get_alerts(
    service: VitalsDep,
    patient_id: str | None = None,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[StoredAlertOut]:
    """Stored alerts in order, optionally for one patient, after a given alert id."""
    rows = stored_alerts(
        service.durable.engine, after_id=after_id, patient_id=patient_id, limit=limit
    )
    return [StoredAlertOut(id=i, alert=a) for i, a in rows]


class Acknowledged(BaseModel):
    id: int
    patient_id: str
    signal: str = Field(description='The alerting signal: "news2" or "glucose".')
    acknowledged: bool = True


@router.post("/alerts/{alert_id}/acknowledge", responses=errors(422, notes={404: "No such alert."}))
def post_acknowledge(
    alert_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    service: VitalsDep,
    glucose: GlucoseDep,
    request: Request,
) -> Acknowledged:
    """Acknowledge an alert: no re-notification for the patient until it escalates. The
    acknowledgement reaches the monitor that raised the alert (NEWS2 or glucose)."""
    engine = service.durable.engine
    try:
        signal = alert_signal(engine, alert_id)
        if signal is None:
            raise HTTPException(status_code=404, detail=f"alert {alert_id} does not exist")
        by = getattr(getattr(request.state, "principal", None), "subject", None)
        pid = acknowledge_alert(engine, alert_id, by=by)
    except MedlmError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    if signal == "glucose":
        glucose.acknowledge(pid)
    else:
        with service.lock:
            service.durable.policy.acknowledge(pid)
    return Acknowledged(id=alert_id, patient_id=pid, signal=signal)


@router.get(
    "/alerts/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: `event: alert`, `id:` the alert id, `data:` the "
            "alert as JSON; comments keep the connection alive.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **errors(422),
    },
)
async def stream_alerts(
    service: VitalsDep,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    max_events: Annotated[int | None, Query(ge=1)] = None,
    poll_seconds: Annotated[float, Query(gt=0, le=10)] = 0.5,
) -> StreamingResponse:
    """New alerts as server-sent events (`id:` is the alert id, for Last-Event-ID resume)."""

    async def events() -> AsyncIterator[str]:
        cursor, sent = after_id, 0
        while max_events is None or sent < max_events:
            rows = await asyncio.to_thread(
                stored_alerts, service.durable.engine, after_id=cursor, limit=100
            )
            for alert_id, alert in rows:
                yield f"id: {alert_id}\nevent: alert\ndata: {alert.model_dump_json()}\n\n"
                cursor, sent = alert_id, sent + 1
                if max_events is not None and sent >= max_events:
                    return
            if not rows:
                yield ": keep-alive\n\n"
                await asyncio.sleep(poll_seconds)

    return StreamingResponse(events(), media_type="text/event-stream")


__all__ = ["router"]
