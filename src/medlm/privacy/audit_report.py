"""The audit verifier's typed result: the trail's status, its counts and the findings, first
bad entry first."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, computed_field

ProblemKind = Literal[
    "malformed_row",
    "broken_link",
    "mac_mismatch",
    "unknown_key_id",
    "downgrade",
    "missing_entries",
    "checkpoint_mismatch",
    "head_mismatch",
    "expected_head_missing",
]
UNKEYED_WARNING = "unkeyed: not tamper-evident against database writers"


class AuditProblem(BaseModel):
    """One finding: its kind, the entry it concerns (`seq`) and/or checkpoint, and a sentence."""

    kind: ProblemKind
    seq: int | None = None
    checkpoint: int | None = None
    detail: str


class AuditVerification(BaseModel):
    """The result of checking the trail. `status`: "intact" (every entry and checkpoint
    verifies under its key), "unkeyed" (consistent, but the newest entries carry no key: not
    tamper-evident against database writers), "empty" (no entries and no checkpoint) or
    "tampered". `head` is the newest entry's MAC, to keep outside the database."""

    status: Literal["intact", "unkeyed", "empty", "tampered"]
    entries: int
    keyed_entries: int
    unkeyed_entries: int
    checkpoints: int
    key_ids: list[str]
    head: str
    findings: list[AuditProblem]
    more_findings: int = 0
    notes: list[str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.status != "tampered"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def first_bad(self) -> AuditProblem | None:
        return self.findings[0] if self.findings else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def problems(self) -> list[str]:
        return [f.detail for f in self.findings]
