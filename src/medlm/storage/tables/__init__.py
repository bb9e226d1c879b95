"""medlm's database tables, all on the one shared `Base` (one module per capability)."""

from medlm.storage.tables.base import Base
from medlm.storage.tables.glucose import StoredGlucoseReading
from medlm.storage.tables.monitor import QuarantinedValue, StoredAlert, VitalReading, VitalScore
from medlm.storage.tables.privacy import ApiKey, AuditEntry, RevokedToken, User
from medlm.storage.tables.records import IngestRun, StoredPatient, StoredResource

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "IngestRun",
    "QuarantinedValue",
    "RevokedToken",
    "StoredAlert",
    "StoredGlucoseReading",
    "StoredPatient",
    "StoredResource",
    "User",
    "VitalReading",
    "VitalScore",
]
