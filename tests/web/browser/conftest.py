"""Browser test harness: the web app served on a loopback port, Debian's chromium driven headless
by Playwright, every request to another host aborted and failing the test.

One server per test session (`medlm serve` on a free 127.0.0.1 port with a temporary data
directory; while `create_app` does not include the web pages yet, `serve_web.py` beside this file
serves the same app with `web_router` included). A clinician `nurse` with a web password and an
API key is created through the CLI before it starts, and a diabetes risk model fitted on the
packaged Pima data is saved where the service loads models from. Tests are skipped, with the
reason, where /usr/bin/chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from medlm.datasets import load
from medlm.records import PatientRecord
from medlm.records.fhir import to_bundle

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).parent
DOCS_IMAGES = HERE.parents[2] / "docs" / "images"
USER, PASSWORD = "nurse", "correct horse battery staple"
LOOPBACK = "127.0.0.1"
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


@dataclass(frozen=True)
class WebServer:
    url: str
    data_dir: Path
    log: Path
    api_key: str
    user: str = USER
    password: str = PASSWORD

    def api(self) -> httpx.Client:
        """A client for the `/v1` API with the nurse's API key."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=60
        )


@dataclass
class Offsite:
    """Requests the pages tried to make to another host (all aborted), and page errors."""

    requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    medlm = Path(sys.executable).with_name("medlm")
    done = subprocess.run(
        [str(medlm), *args], input=stdin, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        pytest.fail(f"medlm {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _web_mounted() -> bool:
    """Whether `create_app` already includes the web pages (so `medlm serve` serves them)."""
    from medlm.service.app import create_app
    from medlm.settings import Settings

    app = create_app(Settings())
    for route in app.routes:  # FastAPI >= 0.16x keeps included routers as lazy branches
        contexts = getattr(route, "effective_route_contexts", None)
        for concrete in contexts() if callable(contexts) else [route]:
            if getattr(concrete, "path", "") == "/signin":
                return True
    return False


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/signin", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the web app did not answer /signin; server log:\n{log.read_text()[-4000:]}")


def _save_risk_model(data_dir: Path) -> None:
    """A diabetes model fitted on the packaged Pima data, where the service loads models from,
    so the chart has a risk card to show."""
    from medlm.risk import DiseaseRiskPredictor, from_dataset

    data = from_dataset("pima")
    assert data.target is not None, "the packaged Pima data carries its outcome"
    model = DiseaseRiskPredictor(name="pima-diabetes", outcome="diabetes")
    model.fit(data.features, data.target)
    model.save(data_dir / "risk-models" / "diabetes")


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """The app on a free loopback port with a fresh data directory and a signed-up clinician."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian package chromium; `make test` installs it)")
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    tmp = tmp_path_factory.mktemp("web-server")
    env = {**os.environ, "MEDLM_DATA_DIR": str(tmp / "data"), "PYTHONUNBUFFERED": "1"}
    env.pop("MEDLM_DATABASE_URL", None)
    env["MEDLM_SECURITY__DEV_NO_AUTH_LOOPBACK"] = "false"  # the API needs the nurse's key
    _save_risk_model(tmp / "data")
    _cli(env, "users", "create", USER, "--role", "clinician", "--password-stdin", stdin=PASSWORD)
    api_key = _cli(env, "tokens", "create", USER).splitlines()[-1].strip()
    port = _free_port()
    if _web_mounted():
        command = [str(Path(sys.executable).with_name("medlm")), "serve"]
    else:
        command = [sys.executable, str(HERE / "serve_web.py")]
    command += ["--host", LOOPBACK, "--port", str(port)]
    log = tmp / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://{LOOPBACK}:{port}"
    try:
        _wait_healthy(url, server, log)
        yield WebServer(url=url, data_dir=tmp / "data", log=log, api_key=api_key)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


def chart_record() -> PatientRecord:
    """A packaged Pima record (so the diabetes model scores it) with a problem, an eGFR of 25
    under metformin (a contraindication card) and a note with a negated and a family finding."""
    base = load("pima").to_records(limit=1)[0]
    pid = base.patient.id
    data = base.model_dump(mode="json")
    data["observations"].append(
        {
            "patient_id": pid,
            "code": {"system": LOINC, "code": "62238-1"},
            "value": 25,
            "unit": "mL/min/{1.73_m2}",
        }
    )
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


def six_hours_of_sets(patient_id: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "patient_id": patient_id,
            "time": (now - timedelta(minutes=30 * i + 5)).isoformat(),
            "respiratory_rate": 16 + (i % 4) * 3,
            "spo2": 97 - (i % 3),
            "on_oxygen": False,
            "systolic_bp": 118 - (i % 5) * 4,
            "heart_rate": 78 + (i % 4) * 9,
            "consciousness": "A",
            "temperature_c": 37.0 + (i % 3) * 0.4,
        }
        for i in range(12)
    ]


@pytest.fixture(scope="session")
def chart_patient(web_server: WebServer) -> str:
    """The id of a patient with a stored record and six hours of sets (stored once)."""
    record = chart_record()
    with web_server.api() as api:
        stored = api.post("/v1/records/ingest", json=to_bundle([record]))
        assert stored.status_code == 200, stored.text
        sets = api.post("/v1/vitals", json={"vitals": six_hours_of_sets(record.patient.id)})
        assert sets.status_code == 200 and sets.json()["errors"] == [], sets.text
    return record.patient.id


@pytest.fixture(scope="session")
def playwright_session(web_server: WebServer) -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    """Headless Debian chromium (never a downloaded browser)."""
    chromium = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )
    yield chromium
    chromium.close()


@pytest.fixture
def offsite() -> Offsite:
    return Offsite()


def _guard(offsite: Offsite) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host == LOOPBACK:
            route.continue_()
        else:
            offsite.requests.append(url)
            route.abort()

    return handle


def _watch_errors(page: Page, offsite: Offsite) -> None:
    page.on("pageerror", lambda error: offsite.page_errors.append(str(error)))


def new_context(browser: Browser, offsite: Offsite, **options: Any) -> BrowserContext:
    """A fresh browser context whose every request to a host other than 127.0.0.1 is aborted and
    recorded (the test then fails), and whose page errors are recorded."""
    options.setdefault("viewport", DESKTOP)
    options.setdefault("locale", "en-GB")
    context = browser.new_context(**options)
    context.route("**/*", _guard(offsite))
    context.on(
        "page", lambda page: page.on("pageerror", lambda e: offsite.page_errors.append(str(e)))
    )
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(60_000)  # a chart's first view computes its results
    return context


@pytest.fixture
def make_context(browser: Browser, offsite: Offsite) -> Iterator[Callable[..., BrowserContext]]:
    """A factory of guarded browser contexts (options as Playwright's `new_context`); at the end
    of the test each is closed and the test fails if a page reached for another host or threw."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        made.append(new_context(browser, offsite, **options))
        return made[-1]

    yield make
    for ctx in made:
        ctx.close()
    assert offsite.requests == [], f"pages tried to reach other hosts: {offsite.requests}"
    assert offsite.page_errors == [], f"script errors on the page: {offsite.page_errors}"


@pytest.fixture
def context(make_context: Callable[..., BrowserContext]) -> BrowserContext:
    return make_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def _sign_in(page: Page, server: WebServer) -> None:
    """Fill the sign-in form with the clinician's password and wait to leave the page."""
    page.goto(f"{server.url}/signin")
    page.fill("#username", server.user)
    page.fill("#password", server.password)
    with page.expect_navigation():
        page.click("form[action='/signin'] button[type=submit]")
    assert urlsplit(page.url).path != "/signin", "sign-in with the right password failed"


@pytest.fixture
def sign_in(web_server: WebServer) -> Callable[[Page], None]:
    """Signs a page in as the clinician (it is then on the ward board)."""
    return lambda page: _sign_in(page, web_server)


@pytest.fixture
def signed_in(page: Page, sign_in: Callable[[Page], None]) -> Page:
    """A page signed in as the clinician, on the ward board."""
    sign_in(page)
    return page


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[..., Path]:
    """Save a full-page screenshot under the test's temporary folder; with `docs=` and
    MEDLM_DOCS_SCREENSHOTS=1 also as the README's image in docs/images/ (so an ordinary test run
    leaves the working tree as it was):
    `MEDLM_DOCS_SCREENSHOTS=1 pytest -m browser tests/web/browser` refreshes them."""

    def take(page: Page, name: str, docs: str | None = None) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if docs is not None and os.environ.get("MEDLM_DOCS_SCREENSHOTS") == "1":
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOCS_IMAGES / docs), full_page=True)
        return path

    return take
