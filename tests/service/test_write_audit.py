"""Writes that change data (a vital-sign or glucose batch) write their audit entry in the same
transaction: one entry per request, and no committed batch without its entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.errors import StorageError
from medlm.privacy.audit import AuditEvent, AuditLog
from medlm.service.app import create_app
from medlm.service.services import AppServices
from medlm.settings import Settings
from medlm.storage.tables.privacy import AuditEntry

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def services(app: FastAPI) -> AppServices:
    built = app.state.services
    assert isinstance(built, AppServices)
    return built


def entries(app: FastAPI) -> list[Any]:
    with services(app).engine.connect() as conn:
        return list(conn.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).all())


class FailingInTransaction(AuditLog):
    """The app's audit log, except that an entry written inside a caller's transaction fails
    (a full disk, a lost connection); entries of their own still work."""

    def record(self, event: AuditEvent, connection: sa.Connection | None = None) -> str:
        if connection is not None:
            raise StorageError("audit write failed (test)")
        return super().record(event)


def fail_audit_in_transaction(app: FastAPI) -> None:
    built = services(app)
    built.audit = FailingInTransaction(built.engine, keys=built.audit.keys)


def vitals_batch(patient: str) -> dict:
    return {"vitals": [{"patient_id": patient, "time": T0.isoformat(), "heart_rate": 80}]}


def glucose_batch(patient: str) -> dict:
    reading = {"patient_id": patient, "time": T0.isoformat(), "glucose": 100, "unit": "mg/dL"}
    return {"readings": [reading]}


WRITES = [
    ("/v1/vitals", vitals_batch, "/v1/patients/{}/vitals"),
    ("/v1/glucose", glucose_batch, "/v1/patients/{}/glucose"),
]


@pytest.mark.parametrize(("route", "batch", "read_back"), WRITES)
def test_a_batch_writes_exactly_one_audit_entry_naming_route_patient_and_status(
    app: FastAPI, client: TestClient, route: str, batch: Any, read_back: str
) -> None:
    before = len(entries(app))
    assert client.post(route, json=batch("wa1")).status_code == 200
    written = entries(app)[before:]
    assert [(e.route, e.patient_id, e.outcome, e.action) for e in written] == [
        (f"POST {route}", "wa1", 200, "write")
    ]
    assert services(app).audit.verify().status == "intact"


@pytest.mark.parametrize(("route", "batch", "read_back"), WRITES)
def test_a_batch_whose_audit_write_fails_is_rolled_back_and_answered_503(
    app: FastAPI, client: TestClient, route: str, batch: Any, read_back: str
) -> None:
    fail_audit_in_transaction(app)
    before = len(entries(app))
    response = client.post(route, json=batch("wa2"))
    assert response.status_code == 503, response.text
    assert client.get(read_back.format("wa2")).status_code == 404  # nothing of it stored
    # The refused request is still audited, by the guard, with its status.
    outcomes = [(e.route, e.outcome) for e in entries(app)[before:]]
    assert (f"POST {route}", 503) in outcomes
    assert (f"POST {route}", 200) not in outcomes


def test_a_read_is_audited_once_after_the_response(app: FastAPI, client: TestClient) -> None:
    client.post("/v1/vitals", json=vitals_batch("wa3"))
    before = len(entries(app))
    assert client.get("/v1/patients/wa3/vitals").status_code == 200
    written = entries(app)[before:]
    assert [(e.route, e.patient_id, e.action) for e in written] == [
        ("GET /v1/patients/{patient_id}/vitals", "wa3", "read")
    ]


def test_the_audit_log_is_keyed_and_checkpoints_as_configured(settings: Settings) -> None:
    from medlm.storage.tables.privacy import AuditCheckpoint

    tuned = Settings.model_validate(
        settings.model_dump() | {"security": {"audit_checkpoint_every": 2}}
    )
    app = create_app(tuned)
    with TestClient(app) as client:
        audit = services(app).audit
        assert audit.checkpoint_every == 2 and audit.keys is not None  # the test key ring
        for _ in range(4):
            client.get("/v1/alerts")
        with audit.engine.connect() as conn:
            counts = conn.execute(sa.select(AuditCheckpoint.entries)).scalars().all()
    assert sorted(counts) == [1, 2, 4]  # the first keyed entry, then every second entry
    assert audit.verify().status == "intact"
