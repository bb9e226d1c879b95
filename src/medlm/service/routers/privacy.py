"""Routes for de-identification (`POST /v1/privacy/deidentify`) and audit verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from medlm.privacy import DeidResult, Operator, OperatorConfig, deidentify
from medlm.privacy.audit_report import AuditVerification
from medlm.privacy.auth import Principal, Role
from medlm.service.auth import require_roles
from medlm.service.deps import AuditDep, PhiDetectorDep, SettingsDep
from medlm.service.responses import READS_BODY, errors

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])


class DeidentifyRequest(BaseModel):
    """Text to de-identify and how."""

    text: str = Field(max_length=200_000)
    operator: Operator = Operator.PLACEHOLDER
    patient_id: str = Field(default="default", max_length=64)
    shift_dates: bool = False


@router.post("/deidentify", responses=errors(*READS_BODY))
def deidentify_text(
    body: DeidentifyRequest, settings: SettingsDep, detector: PhiDetectorDep
) -> DeidResult:
    """Remove the 18 Safe Harbor identifiers; spans are offsets into the submitted text."""
    config = OperatorConfig(
        operator=body.operator,
        patient_id=body.patient_id,
        shift_dates=body.shift_dates,
        secret=settings.security.deid_secret.get_secret_value(),
    )
    return deidentify(body.text, config, detector)


@router.get("/audit/verify", responses=errors(403))
def verify_audit(
    audit: AuditDep,
    _admin: Annotated[Principal, require_roles([Role.ADMIN])],
) -> AuditVerification:
    """Check the audit trail (admins only): every MAC, link and checkpoint and the head row;
    `status` is intact, unkeyed, empty or tampered, and the first bad entry is named."""
    return audit.verify()
