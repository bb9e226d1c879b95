"""The service's error answers and their OpenAPI documentation: one body type per kind and one
table of what each status means, so every status a route answers is in `/openapi.json`.

Every error is JSON with a `detail`. A 422 is either FastAPI's list of fields that failed
validation (location, message and type, never the submitted value; see
`medlm.service.auth.redact_validation_error`) or one message from the route saying why the
content cannot be used. Routers take their statuses from `errors(...)`; `create_app` adds the
guard's statuses (401, 403, 503) to every router it protects.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """An error answer: what was refused and why (never the submitted values)."""

    detail: str


class FieldProblem(BaseModel):
    """One field of the request that failed validation."""

    loc: list[str | int] = Field(description="Where: 'body', 'query' or 'path', then the field.")
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """422: the fields that failed validation, or one message saying why the content (valid
    JSON of the right shape) cannot be used."""

    detail: list[FieldProblem] | str


class OperationOutcomeIssue(BaseModel):
    severity: str
    code: str
    diagnostics: str


class OperationOutcome(BaseModel):
    """A FHIR R4 OperationOutcome (what CDS Hooks clients expect for a refused call)."""

    resourceType: str = "OperationOutcome"
    issue: list[OperationOutcomeIssue]


MEANING: dict[int, str] = {
    400: "Malformed input: JSON nested deeper than limits.max_json_depth, a string longer than "
    "limits.max_string_chars, invalid UTF-8 or a lone surrogate, or a part of the request "
    "the route cannot read (named in `detail`).",
    401: "Missing, invalid, expired or revoked bearer credential.",
    403: "The caller's role may not use this route.",
    404: "What the path names does not exist.",
    412: "A precondition of the call is not met (named in the OperationOutcome).",
    413: "Request body larger than limits.max_body_bytes, or more items than "
    "limits.max_batch_items.",
    422: "Fields that failed validation, or content that cannot be used (one message).",
    503: "Something the route needs is unavailable: storage, the audit trail, the encryption "
    "key or the authentication configuration.",
}
BODY: dict[int, type[BaseModel]] = {412: OperationOutcome, 422: ValidationErrorBody}

GUARDED = (401, 503)
"""Statuses of every route the authentication guard protects."""
IDENTIFIED = (401, 403, 503)
"""... and of routes that need the clinician or admin role."""
READS_BODY = (400, 413, 422)
"""Statuses of routes that read a JSON body (the limits middleware and validation)."""


def errors(*codes: int, notes: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route or router for these statuses; `notes` gives a status a
    route's own description (`{404: "No such alert."}`)."""
    notes = notes or {}
    return {
        code: {"model": BODY.get(code, ErrorBody), "description": notes.get(code, MEANING[code])}
        for code in sorted(set(codes) | set(notes))
    }
