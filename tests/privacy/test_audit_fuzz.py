"""Property test on the audit verifier: any value of any type written into any column of an
entry, checkpoint or the head row gives a verdict, never an exception, and any change is
reported as tampering."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medlm.privacy.audit import AuditEvent, AuditKeys, AuditLog
from medlm.privacy.encryption import KeyRing
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade

FUZZ = settings(
    max_examples=int(os.environ.get("MEDLM_FUZZ_EXAMPLES", "75")),
    deadline=None,
    derandomize="MEDLM_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Columns SQLite lets any value into (the primary keys must stay integers; NOT NULL holds).
COLUMNS = {
    "audit_log": ["time", "actor", "role", "action", "route", "patient_id", "outcome",
                  "prev_hash", "entry_hash", "key_id"],
    "audit_checkpoints": ["time", "entries", "last_seq", "last_hash", "key_id", "mac"],
    "audit_head": ["entries", "last_seq", "last_hash"],
}  # fmt: skip
NULLABLE = {("audit_log", "patient_id"), ("audit_log", "key_id"), ("audit_checkpoints", "key_id")}
VALUE = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=80),
    st.binary(max_size=16),
    st.sampled_from(["9999-12-31 23:59:59.999999", "0001-01-01", "k1", "0" * 64, "{", "[]"]),
)


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AuditLog, sa.Engine]]:
    path: Path = tmp_path_factory.mktemp("audit-fuzz")
    engine = make_engine(Settings(data_dir=path))
    upgrade(engine)
    log = AuditLog(engine, AuditKeys.from_ring(KeyRing.generate()), checkpoint_every=2)
    for i in range(5):
        log.record(AuditEvent(actor="a", role="admin", action="read", route="GET /v1", outcome=i))
    yield log, engine
    engine.dispose()


@FUZZ
@given(
    target=st.sampled_from([(t, c) for t, cols in COLUMNS.items() for c in cols]),
    row=st.integers(min_value=1, max_value=3),
    value=st.one_of(st.none(), VALUE),
)
def test_any_stored_value_gives_a_verdict_and_a_change_is_tampering(
    trail: tuple[AuditLog, sa.Engine], target: tuple[str, str], row: int, value: object
) -> None:
    log, engine = trail
    table, column = target
    if value is None and target not in NULLABLE:
        value = ""
    key = {"audit_log": "seq", "audit_checkpoints": "id", "audit_head": "id"}[table]
    row = 1 if table == "audit_head" else row
    where = f"WHERE {key} = :row"
    with engine.begin() as conn:
        original = conn.execute(sa.text(f"SELECT {column} FROM {table} {where}"), {"row": row})
        before = original.scalar_one()
        conn.execute(sa.text(f"UPDATE {table} SET {column} = :v {where}"), {"v": value, "row": row})
        try:
            stored = conn.execute(sa.text(f"SELECT {column} FROM {table} {where}"), {"row": row})
            changed = stored.scalar_one() != before
        finally:
            pass
    try:
        result = log.verify()
        assert result.status in {"intact", "tampered"}
        if changed:
            assert result.status == "tampered", (table, column, value)
    finally:
        with engine.begin() as conn:
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :v {where}"), {"v": before, "row": row}
            )
    assert log.verify().status == "intact"
