"""Demo data for the web app: a data directory with a key ring, a clinician and demo patients.

`seed_demo(settings)` fills the data directory of `demo_settings(...)` so `medlm serve --demo`
opens the app on something to look at:

- the labelled SYNTHETIC deterioration scenarios of `medlm.monitor.scenarios`, their vital-sign
  sets moved in time so the newest set is a few minutes old, ingested through the durable
  monitor (the board shows their NEWS2 and alerts);
- a few records built from rows of the packaged real Pima dataset, with a problem, a medication
  and a note added for display (the chart shows them);
- one day of SYNTHETIC CGM readings (simglucose, a development dependency: skipped with a note
  where it is not installed), moved in time the same way;
- a diabetes risk model fitted on the packaged Pima data in the risk model folder;
- a clinician `demo` whose password is generated afresh at every seeding (never stored in
  plain text, returned once to be shown).

Seeding again reuses what is there: no second user, no second copy of the patients' data.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from pydantic import BaseModel, ConfigDict, SecretStr

from medlm.records import PatientRecord
from medlm.settings import Settings

logger = logging.getLogger(__name__)

DEMO_USER = "demo"
DEMO_HOST = "127.0.0.1"
KEY_FILE = "keys.json"
SCENARIOS_PER_KIND = 2
RECORD_PATIENTS = 3
GLUCOSE_PATIENT = "synthetic-glucose-1"
LATEST_SET_AGE = timedelta(minutes=5)  # the newest demo set: recent, never in the future
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


class DemoSeed(BaseModel):
    """What `seed_demo` left in the data directory, and the demo user's password."""

    model_config = ConfigDict(frozen=True)

    data_dir: Path
    key_file: Path
    user: str
    password: SecretStr
    scenario_patients: list[str]
    record_patients: list[str]
    glucose_patient: str | None
    glucose_note: str | None = None
    risk_model: Path
    reused: bool


def demo_settings(base: Settings, data_dir: Path) -> Settings:
    """`base` with its data, database, key ring and risk models in `data_dir` (SQLite there) and
    the service bound to 127.0.0.1."""
    security = base.security.model_copy(
        update={"encryption_key_file": data_dir / KEY_FILE, "encryption_keys": None}
    )
    service = base.service.model_copy(update={"host": DEMO_HOST})
    return base.model_copy(
        update={
            "data_dir": data_dir,
            "storage": base.storage.model_copy(update={"database_url": None}),
            "risk": base.risk.model_copy(update={"model_dir": None}),
            "security": security,
            "service": service,
        }
    )


def ensure_key_ring(path: Path) -> bool:
    """Create the key ring at `path` unless it exists; True when it was created."""
    from medlm.privacy.encryption import KeyRing

    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    KeyRing.generate().save(path)
    return True


def _shift_to_recent(times: list[datetime], now: datetime) -> timedelta:
    """The shift that moves the newest of `times` to `LATEST_SET_AGE` before `now`."""
    return (now - LATEST_SET_AGE) - max(times)


def _seed_scenarios(settings: Settings, engine: sa.Engine, now: datetime) -> list[str]:
    from medlm.monitor.scenarios import make_scenarios
    from medlm.monitor.store import stored_sets
    from medlm.service.services import vitals_service

    scenarios = make_scenarios(per_kind=SCENARIOS_PER_KIND)
    ids = [s.patient_id for s in scenarios]
    if stored_sets(engine, ids[0], limit=1):
        return ids
    sets = [v for s in scenarios for v in s.sets]
    shift = _shift_to_recent([v.time for v in sets], now)
    moved = sorted(
        (v.model_copy(update={"time": v.time + shift}) for v in sets), key=lambda v: v.time
    )
    result = vitals_service(settings, engine).durable.ingest(moved, source="demo (SYNTHETIC)")
    logger.info("demo: %d scenario sets, %d alerts", len(moved), len(result.alerts))
    return ids


def demo_record(base: PatientRecord) -> PatientRecord:
    """A packaged Pima record with a problem, a medication and a note added for display."""
    pid = base.patient.id
    data = base.model_dump(mode="json")
    data["conditions"].append(
        {
            "patient_id": pid,
            "code": {"system": SNOMED, "code": "38341003", "display": "Hypertension"},
        }
    )
    data["medication_statements"].append({"patient_id": pid, "name": "metformin"})
    data["notes"].append(
        {
            "patient_id": pid,
            "text": "Denies chest pain. History of asthma. "
            "Mother had breast cancer. Takes metformin daily.",
        }
    )
    return PatientRecord.model_validate(data)


def _seed_records(engine: sa.Engine) -> list[str]:
    from medlm.datasets import load
    from medlm.storage.repository import patient_ids, save_records

    records = [demo_record(r) for r in load("pima").to_records(limit=RECORD_PATIENTS)]
    ids = [r.patient.id for r in records]
    if not set(ids) <= set(patient_ids(engine)):
        save_records(engine, records, source="demo: packaged Pima rows")
    return ids


def _seed_glucose(settings: Settings, engine: sa.Engine, now: datetime) -> str | None:
    """One day of SYNTHETIC CGM readings for one patient; a note instead when simglucose is
    missing (raised as ImportError)."""
    from medlm.monitor.glucose.simulate import SimulationConfig, simulate
    from medlm.monitor.glucose.store import DurableGlucose, stored_glucose

    if stored_glucose(engine, GLUCOSE_PATIENT, limit=1):
        return GLUCOSE_PATIENT
    trace = simulate(SimulationConfig(days=1.0))
    shift = _shift_to_recent([r.time for r in trace.readings], now)
    readings = [
        r.model_copy(update={"patient_id": GLUCOSE_PATIENT, "time": r.time + shift})
        for r in trace.readings
    ]
    durable = DurableGlucose.from_settings(engine, settings.monitor.glucose)
    durable.ingest(readings, source="demo (SYNTHETIC simglucose)", now=now)
    return GLUCOSE_PATIENT


def _glucose_or_note(
    settings: Settings, engine: sa.Engine, now: datetime
) -> tuple[str | None, str | None]:
    try:
        return _seed_glucose(settings, engine, now), None
    except ImportError as exc:  # simglucose is a development dependency
        logger.info("demo: glucose skipped (%s)", type(exc).__name__)
        return None, f"glucose readings skipped: the simulator is not installed ({exc})"


def _seed_risk_model(settings: Settings) -> Path:
    """A diabetes model fitted on the packaged Pima data, unless one is saved already."""
    from medlm.risk import DiseaseRiskPredictor, from_dataset
    from medlm.risk.persist import META_FILE

    folder = settings.risk_model_dir / "diabetes"
    if (folder / META_FILE).is_file():
        return folder
    data = from_dataset("pima")
    if data.target is None:  # the packaged Pima data carries its outcome
        raise ValueError("demo: the packaged Pima data has no outcome column")
    model = DiseaseRiskPredictor(name="pima-diabetes", outcome="diabetes")
    model.fit(data.features, data.target)
    model.save(folder)
    return folder


def _demo_user(engine: sa.Engine, hasher: PasswordHasher | None) -> tuple[SecretStr, bool]:
    """Create the clinician `demo` if missing and give it a fresh password; (password, reused)."""
    from medlm.privacy.auth import Role
    from medlm.privacy.credentials import CredentialStore
    from medlm.web.accounts import AccountStore

    store = CredentialStore(engine)
    reused = any(u.name == DEMO_USER for u in store.list_users())
    if not reused:
        store.create_user(DEMO_USER, Role.CLINICIAN)
    password = secrets.token_urlsafe(15)
    AccountStore(engine, hasher).set_password(DEMO_USER, password)
    return SecretStr(password), reused


def seed_demo(settings: Settings, hasher: PasswordHasher | None = None) -> DemoSeed:
    """Fill the data directory of `settings` (from `demo_settings`) with the demo's key ring,
    user and patients; existing demo data is reused. `hasher` hashes the password (default:
    argon2id's defaults)."""
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    key_file = settings.security.encryption_key_file
    if key_file is None:
        raise ValueError("demo: settings without a key file; build them with demo_settings")
    ensure_key_ring(key_file)
    engine = make_engine(settings)
    try:
        upgrade(engine)
        now = datetime.now(UTC)
        password, reused = _demo_user(engine, hasher)
        scenarios = _seed_scenarios(settings, engine, now)
        records = _seed_records(engine)
        glucose, note = _glucose_or_note(settings, engine, now)
    finally:
        engine.dispose()
    return DemoSeed(
        data_dir=settings.data_dir,
        key_file=key_file,
        user=DEMO_USER,
        password=password,
        scenario_patients=scenarios,
        record_patients=records,
        glucose_patient=glucose,
        glucose_note=note,
        risk_model=_seed_risk_model(settings),
        reused=reused,
    )
