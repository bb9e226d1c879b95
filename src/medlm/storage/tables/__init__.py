"""medlm's database tables, all on the one shared `Base` (one module per capability)."""

from medlm.storage.tables.base import Base
from medlm.storage.tables.monitor import QuarantinedValue, StoredAlert, VitalReading, VitalScore
from medlm.storage.tables.records import IngestRun, StoredPatient, StoredResource

__all__ = [
    "Base",
    "IngestRun",
    "QuarantinedValue",
    "StoredAlert",
    "StoredPatient",
    "StoredResource",
    "VitalReading",
    "VitalScore",
]
