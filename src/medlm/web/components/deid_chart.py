"""The researcher's de-identified chart: board pseudonyms resolved server-side, ages only (over 89
as "90 or older"), times relative to now, and note text de-identified before it is analysed.

HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)) removes names, dates other than the year, ages over
89 and record numbers; the chart keeps no date at all (times are "n h ago") and no id but the
keyed pseudonym the researcher's board shows.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel

from medlm.privacy.anonymizer import deidentify
from medlm.privacy.detector import PhiDetector
from medlm.privacy.operators import OperatorConfig
from medlm.records import PatientRecord
from medlm.risk import RiskScore
from medlm.storage.repository import patient_ids
from medlm.storage.tables.glucose import StoredGlucoseReading
from medlm.storage.tables.monitor import StoredAlert, VitalScore
from medlm.web.board_data import pseudonym

logger = logging.getLogger(__name__)

# 45 CFR 164.514(b)(2)(i)(C): ages over 89 are aggregated into one category, 90 or older.
SAFE_HARBOR_OLDEST_SHOWN_AGE = 89
OLDEST_AGE_TEXT = "90+"


class DeidPatient(BaseModel):
    """What the de-identified chart shows of the patient: the pseudonym, an age text, the sex."""

    pseudonym: str
    age: str | None
    sex: str


def resolve_pseudonym(engine: sa.Engine, shown: str, secret: str) -> str | None:
    """The real id whose board pseudonym is `shown` (None when no stored patient has it)."""
    candidates = set(patient_ids(engine))
    with engine.connect() as conn:
        for table in (VitalScore, StoredAlert, StoredGlucoseReading):
            column = table.__table__.c.patient_id
            candidates.update(conn.execute(sa.select(column).distinct()).scalars())
    for patient_id in candidates:
        if pseudonym(patient_id, secret) == shown:
            return patient_id
    return None


def age_text(age: float | None) -> str | None:
    """Whole years, or "90+" above the Safe Harbor limit."""
    if age is None:
        return None
    return OLDEST_AGE_TEXT if age > SAFE_HARBOR_OLDEST_SHOWN_AGE else str(int(age))


def deid_patient(record: PatientRecord, shown: str, now: datetime) -> DeidPatient:
    """The patient's de-identified demographics."""
    age = record.patient.age_on(now.date())
    return DeidPatient(pseudonym=shown, age=age_text(age), sex=record.patient.sex.value)


def deid_record(record: PatientRecord, detector: PhiDetector, secret: str) -> PatientRecord:
    """The record with every note's text de-identified (placeholders) and no note dates or ids,
    conditions without onset dates; the rest unchanged."""
    config = OperatorConfig(patient_id=record.patient.id, secret=secret)
    notes = [
        note.model_copy(
            update={
                "text": deidentify(note.text, config, detector).text,
                "date": None,
                "id": None,
                "patient_id": None,
            }
        )
        for note in record.notes
    ]
    conditions = [c.model_copy(update={"onset": None}) for c in record.conditions]
    return record.model_copy(update={"notes": notes, "conditions": conditions})


def deid_scores(scores: list[RiskScore], detector: PhiDetector, secret: str) -> list[RiskScore]:
    """The scores with each reason's text de-identified (an age over 89 in a reason, say)."""
    out = []
    for score in scores:
        config = OperatorConfig(patient_id=score.patient_id, secret=secret)
        reasons = []
        for r in score.reasons:
            text = deidentify(r.text, config, detector).text
            # a changed text drops its message: the template's raw values are what was hidden
            message = r.message if text == r.text else None
            reasons.append(r.model_copy(update={"text": text, "message": message}))
        out.append(score.model_copy(update={"reasons": reasons}))
    return out


def hours_ago(now: datetime, value: datetime) -> str:
    """A chart tick as hours before now ('-6 h')."""
    hours = round((now - value).total_seconds() / 3600)
    return f"-{hours} h" if hours else "0 h"
