"""Revision 0010: an alert stored before it keeps its row with null values after the upgrade,
new alerts keep value, unit, threshold, source, duration and who acknowledged them, and the
downgrade to 0009 drops exactly those columns (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from medlm.storage import migrate

NEW_COLUMNS = {"value", "unit", "threshold", "source", "duration_minutes", "acknowledged_by"}
T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("vital_alerts")}


def _insert(conn: sa.Connection, **extra: object) -> None:
    columns = {
        "patient_id": "p1", "time": T0, "signal": "glucose", "kind": "raised", "level": 4,
        "previous_level": 0, "response": "level 1 hypoglycaemia", "reason": "old alert",
        "notify": True, "created_at": T0,
    } | extra  # fmt: skip
    names = ", ".join(columns)
    values = ", ".join(f":{name}" for name in columns)
    conn.execute(sa.text(f"INSERT INTO vital_alerts ({names}) VALUES ({values})"), columns)


def test_an_alert_stored_before_0010_keeps_its_row_with_null_values(engine: sa.Engine) -> None:
    migrate.downgrade(engine, "0009")
    assert not NEW_COLUMNS & _columns(engine)
    with engine.begin() as conn:
        _insert(conn)
    migrate.upgrade(engine)
    assert _columns(engine) >= NEW_COLUMNS
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT reason, value, unit FROM vital_alerts")).one()
    assert tuple(row) == ("old alert", None, None)


def test_0010_stores_the_values_and_its_downgrade_drops_only_them(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        _insert(conn, value=3.1, unit="mmol/L", threshold=3.9, source="capillary",
                duration_minutes=None, acknowledged_by="nurse")  # fmt: skip
        row = conn.execute(sa.text("SELECT value, unit, acknowledged_by FROM vital_alerts")).one()
    assert tuple(row) == (3.1, "mmol/L", "nurse")
    before = _columns(engine)
    migrate.downgrade(engine, "0009")
    assert _columns(engine) == before - NEW_COLUMNS
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM vital_alerts")).scalar_one() == 1
