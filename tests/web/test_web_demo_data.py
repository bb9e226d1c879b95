"""Demo data for the web app: the board lists the SYNTHETIC scenario patients with alerts, a
record patient's chart opens with its risk card, and seeding again adds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from medlm.risk.persist import META_FILE
from medlm.service.app import create_app
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.tables.monitor import VitalReading
from medlm.storage.tables.privacy import User
from medlm.web import demo_data
from medlm.web.demo_data import DemoSeed, demo_settings, seed_demo

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # test speed only


def _no_simulator(*_: object) -> str:
    raise ImportError("No module named 'simglucose'")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, DemoSeed]]:
    """Demo data seeded once (the glucose simulator made unavailable: the skip path)."""
    settings = demo_settings(Settings(), tmp_path_factory.mktemp("demo") / "web")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo_data, "_seed_glucose", _no_simulator)
        seed = seed_demo(settings, hasher=FAST)
    yield settings, seed


@pytest.fixture(scope="module")
def served(seeded: tuple[Settings, DemoSeed]) -> Iterator[TestClient]:
    """The app on the demo data, signed in as the demo user with its printed password."""
    settings, seed = seeded
    with TestClient(create_app(settings)) as client:
        yield signed_in(client, seed.user, seed.password.get_secret_value())


def signed_in(client: TestClient, user: str, password: str) -> TestClient:
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": user, "password": password, "csrf_token": token.group(1), "next": "/"}
    response = client.post("/signin", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def board_patients(html: str) -> list[str]:
    return re.findall(r'<a href="/patients/([^"]+)">', html)


def test_demo_settings_keep_everything_in_the_data_dir_on_loopback(tmp_path: Path) -> None:
    settings = demo_settings(Settings(), tmp_path / "web")
    assert settings.security.encryption_key_file == tmp_path / "web" / "keys.json"
    assert settings.database_url.endswith(str((tmp_path / "web" / "medlm.sqlite").resolve()))
    assert settings.risk_model_dir == tmp_path / "web" / "risk-models"
    assert settings.service.host == "127.0.0.1"


@pytest.mark.slow  # builds the app's services (about 9 s)
def test_board_lists_the_scenario_patients_with_alerts_for_the_demo_user(
    seeded: tuple[Settings, DemoSeed], served: TestClient
) -> None:
    _, seed = seeded
    assert seed.key_file.is_file() and (seed.risk_model / META_FILE).is_file()
    html = served.get("/").text
    listed = board_patients(html)
    assert set(seed.scenario_patients) <= set(listed)
    assert all(p.startswith("synthetic-") for p in seed.scenario_patients)
    sepsis_row = html[html.index('href="/patients/synthetic-sepsis-like-0"') :].split("</tr>")[0]
    assert "/acknowledge" in sepsis_row  # an unacknowledged alert, offered for acknowledgement
    assert 'class="stale"' not in sepsis_row  # times moved so the newest set is recent


@pytest.mark.slow  # the chart's first view computes its results
def test_chart_of_a_seeded_record_patient_shows_its_record_and_risk_card(
    seeded: tuple[Settings, DemoSeed], served: TestClient
) -> None:
    [first, *_] = seeded[1].record_patients
    chart = served.get(f"/patients/{first}")
    assert chart.status_code == 200, chart.text
    assert "metformin" in chart.text and "Hypertension" in chart.text
    assert re.search(r'<article class="card risk-card tier-\w+"', chart.text)


def test_glucose_is_skipped_with_a_note_when_the_simulator_is_missing(
    seeded: tuple[Settings, DemoSeed],
) -> None:
    _, seed = seeded
    assert seed.glucose_patient is None
    assert seed.glucose_note is not None and "simulator" in seed.glucose_note


def test_seeding_again_reuses_the_data_and_replaces_the_password(
    seeded: tuple[Settings, DemoSeed],
) -> None:
    settings, first = seeded
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            sets_before = conn.execute(sa.select(sa.func.count()).select_from(VitalReading))
            count_before = sets_before.scalar_one()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(demo_data, "_seed_glucose", _no_simulator)
            again = seed_demo(settings, hasher=FAST)
        with engine.connect() as conn:
            users = conn.execute(sa.select(User.name).where(User.name == "demo")).all()
            sets_after = conn.execute(sa.select(sa.func.count()).select_from(VitalReading))
            count_after = sets_after.scalar_one()
    finally:
        engine.dispose()
    assert again.reused and not first.reused
    assert len(users) == 1 and count_after == count_before
    assert again.record_patients == first.record_patients
    assert again.password.get_secret_value() != first.password.get_secret_value()


@pytest.mark.slow
def test_glucose_readings_are_seeded_recent_when_the_simulator_is_installed(
    tmp_path: Path,
) -> None:
    pytest.importorskip("simglucose", reason="the glucose simulator is a development dependency")
    from datetime import UTC, datetime, timedelta

    from medlm.monitor.glucose.store import stored_glucose

    settings = demo_settings(Settings(), tmp_path / "web")
    seed = seed_demo(settings, hasher=FAST)
    assert seed.glucose_patient == demo_data.GLUCOSE_PATIENT and seed.glucose_note is None
    engine = make_engine(settings)
    try:
        readings = stored_glucose(engine, demo_data.GLUCOSE_PATIENT)
    finally:
        engine.dispose()
    assert readings and datetime.now(UTC) - readings[-1].time < timedelta(hours=1)
