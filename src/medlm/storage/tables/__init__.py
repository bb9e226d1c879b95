"""medlm's database tables, all on the one shared `Base` (one module per capability)."""

from medlm.storage.tables.base import Base
from medlm.storage.tables.glucose import StoredGlucoseReading
from medlm.storage.tables.monitor import QuarantinedValue, StoredAlert, VitalReading, VitalScore
from medlm.storage.tables.monitor_state import MonitorState
from medlm.storage.tables.privacy import (
    ApiKey,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    RevokedToken,
    UsedClientToken,
    User,
)
from medlm.storage.tables.records import IngestRun, StoredPatient, StoredResource
from medlm.storage.tables.web import WebAlertNote, WebPassword, WebSession, WebSignInFailure

__all__ = [
    "ApiKey",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditHead",
    "Base",
    "IngestRun",
    "MonitorState",
    "QuarantinedValue",
    "RevokedToken",
    "StoredAlert",
    "StoredGlucoseReading",
    "StoredPatient",
    "StoredResource",
    "UsedClientToken",
    "User",
    "VitalReading",
    "VitalScore",
    "WebAlertNote",
    "WebPassword",
    "WebSession",
    "WebSignInFailure",
]
