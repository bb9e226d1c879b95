"""CDS Hooks for treatment: service discovery, and `patient-view` / `order-sign` cards.

Follows the CDS Hooks specification (HL7, STU; medlm's clinical reference §8.2): cards carry a
summary under 140 characters, an indicator (info / warning / critical), markdown detail, a
source, and suggestions whose actions create or delete FHIR resources.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from medlm import DISCLAIMER
from medlm.errors import InputError
from medlm.records import IngestReport, Rejection
from medlm.treatment.results import Action, Recommendation, SafetyIssue, TreatmentReport

PATIENT_VIEW = "medlm-treatment-patient-view"
ORDER_SIGN = "medlm-treatment-order-sign"
_INDICATOR = {"high": "critical", "moderate": "warning", "low": "info"}
_SOURCE = {"label": "medlm treatment knowledge (cited rules)", "topic": None}

_PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&status=active",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
    "allergies": "AllergyIntolerance?patient={{context.patientId}}",
}


class CdsService(BaseModel):
    hook: str
    id: str
    title: str
    description: str
    prefetch: dict[str, str]


class CdsAction(BaseModel):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class CdsSuggestion(BaseModel):
    label: str
    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    isRecommended: bool = False
    actions: list[CdsAction] = Field(default_factory=list)


class CdsCard(BaseModel):
    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    summary: str = Field(max_length=139)
    detail: str
    indicator: Literal["info", "warning", "critical"]
    source: dict[str, str | None]
    suggestions: list[CdsSuggestion] = Field(default_factory=list)
    selectionBehavior: str | None = None


class CdsResponse(BaseModel):
    cards: list[CdsCard]
    systemActions: list[dict[str, Any]] = Field(default_factory=list)


def services() -> list[CdsService]:
    """The discovery document's services."""
    return [
        CdsService(
            hook="patient-view",
            id=PATIENT_VIEW,
            title="medlm treatment review",
            description="Cited treatment suggestions and safety issues for the open patient.",
            prefetch=_PREFETCH,
        ),
        CdsService(
            hook="order-sign",
            id=ORDER_SIGN,
            title="medlm medication safety check",
            description="Interactions, contraindications, kidney limits, allergy, pregnancy, "
            "duplicate and genotype conflicts of the orders being signed.",
            prefetch=_PREFETCH,
        ),
    ]


def _summary(text: str) -> str:
    return text if len(text) < 140 else text[:136].rstrip() + "..."


def issue_card(issue: SafetyIssue) -> CdsCard:
    drugs = " + ".join(issue.drugs)
    suggestions = [
        CdsSuggestion(
            label=f"Cancel the order ({ref})",
            isRecommended=issue.severity.value == "high",
            actions=[CdsAction(type="delete", description=f"Remove {ref}", resourceId=ref)],
        )
        for ref in issue.references
        if issue.proposed and ref.startswith("MedicationRequest/")
    ]
    return CdsCard(
        summary=_summary(f"{issue.severity.value.capitalize()} {issue.kind.value}: {drugs}"),
        detail=f"{issue.detail}.\n\n**Source:** {issue.citation}\n\n_{DISCLAIMER}_",
        indicator=_INDICATOR[issue.severity.value],
        source=_SOURCE,
        suggestions=suggestions,
        selectionBehavior="at-most-one" if suggestions else None,
    )


def recommendation_card(rec: Recommendation) -> CdsCard:
    what = rec.drug or rec.drug_class or "therapy"
    suggestions = []
    if rec.action == Action.START and not rec.blocked:
        suggestions.append(
            CdsSuggestion(
                label=f"Propose {what}",
                isRecommended=False,
                actions=[
                    CdsAction(
                        type="create", description=f"Draft proposal: {what}", resource=rec.to_fhir()
                    )
                ],
            )
        )
    warn = (
        f" Safety: {'; '.join(i.detail for i in rec.safety_issues)}." if rec.safety_issues else ""
    )
    dose = f"\n\n**Dose guidance:** {rec.dose_guidance}" if rec.dose_guidance else ""
    return CdsCard(
        summary=_summary(f"{rec.action.value.capitalize()} {what}"),
        detail=f"{rec.rationale}.{warn}{dose}\n\n**Source:** {rec.citation} "
        f"(strength: {rec.strength})\n\n_{DISCLAIMER}_",
        indicator="warning" if rec.blocked or rec.action in (Action.STOP, Action.AVOID) else "info",
        source=_SOURCE,
        suggestions=suggestions,
        selectionBehavior="at-most-one" if suggestions else None,
    )


def missing_card(missing: list[str]) -> CdsCard:
    return CdsCard(
        summary=_summary(f"{len(missing)} check(s) could not run: data missing or unreadable"),
        detail="\n".join(f"- {m}" for m in missing),
        indicator="info",
        source=_SOURCE,
    )


def cards(service_id: str, report: TreatmentReport) -> CdsResponse:
    """Cards for a report: order-sign shows issues involving the orders; patient-view shows all."""
    if service_id == ORDER_SIGN:
        found = [issue_card(i) for i in report.issues if i.proposed]
        if report.missing:
            found.append(missing_card(report.missing))
        return CdsResponse(cards=found)
    if service_id != PATIENT_VIEW:
        raise InputError(f"unknown CDS service {service_id!r}; known: {PATIENT_VIEW}, {ORDER_SIGN}")
    out = [issue_card(i) for i in report.issues]
    out += [recommendation_card(r) for r in report.recommendations]
    if report.missing:
        out.append(missing_card(report.missing))
    return CdsResponse(cards=out)


def _declared(path: str) -> bool:
    """Is this request path one the services ask for (a prefetch key or the draft orders)?"""
    roots = ["context.draftOrders", *(f"prefetch.{k}" for k in _PREFETCH)]
    return path == "prefetch" or any(
        path == r or path.startswith((f"{r}.", f"{r}:", f"{r}[")) for r in roots
    )


def malformed(report: IngestReport) -> list[Rejection]:
    """Rejections of the request's own structure (a prefetch value that is not a resource or
    Bundle, an `entry` that is not an array, an entry without a resource) under the prefetch
    keys the services declare or the draft orders. Such a request is refused, not half read."""
    return [
        r
        for r in report.rejections
        if r.resource_type is None and (_declared(r.field or "") or _declared(r.reason))
    ]


def has_patient(prefetch: dict[str, Any] | None) -> bool:
    """True when a prefetch value is a Patient resource or a Bundle holding one."""
    for value in (prefetch or {}).values():
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Patient":
            return True
        entries = value.get("entry") if value.get("resourceType") == "Bundle" else None
        if isinstance(entries, list) and any(
            isinstance(e, dict)
            and isinstance(e.get("resource"), dict)
            and e["resource"].get("resourceType") == "Patient"
            for e in entries
        ):
            return True
    return False
