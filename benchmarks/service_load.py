"""Service under load: `medlm serve --workers 2`, 50 concurrent clients, vitals and a CDS hook.

Starts `medlm serve --workers N` on loopback against the PostgreSQL in MEDLM_TEST_POSTGRES_URL
(a fresh schema, dropped afterwards) or, without it, a SQLite file (with a warning), with an
encryption key ring (so the audit trail is keyed), a clinician and an API key created through
the CLI, and one trusted CDS client (an ES384 key whose public JWKS file the service trusts).
Then C concurrent httpx clients post batches of vital-sign sets to `POST /v1/vitals` and, every
Kth request, an order-sign CDS Hooks call (clopidogrel for a CYP2C19 poor metabolizer) signed
with a fresh client token, for a fixed duration. Prints the CPU, requests per second, p50 / p95
/ p99 latency per route, the error count, then stops the service and runs `medlm audit verify`.
Data: SYNTHETIC vital-sign scenarios (`medlm.monitor.scenarios`) under new patient ids.

    MEDLM_TEST_POSTGRES_URL=$(bash .ci/postgres.sh) \\
    .venv/bin/python benchmarks/service_load.py [--workers 2] [--clients 50] [--duration 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from medlm.monitor.scenarios import make_scenarios
from medlm.monitor.vitals import VitalSigns
from medlm.treatment import cds

MEDLM = str(Path(sys.executable).with_name("medlm"))
ISSUER = "https://ehr.example"


@dataclass
class Call:
    route: str
    seconds: float
    status: int  # -1: no answer (connection error, timeout); 0: a 200 without the work done
    error: str = ""  # the client-side exception when there was no answer


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} logical CPUs)"
    return f"unknown ({os.cpu_count()} logical CPUs)"


def postgres_schema(base: str) -> tuple[str, str]:
    """A fresh schema on the server of `base`; (its name, a URL whose search_path is it)."""
    schema = f"medlm_load_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    return schema, f"{base}{separator}options=-csearch_path%3D{schema}"


def drop_schema(base: str, schema: str) -> None:
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def medlm(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([MEDLM, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"medlm {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def service_env(folder: Path, url: str | None, port: int) -> tuple[dict[str, str], Any]:
    """Environment of the service and the CLI calls, and the CDS client's private key."""
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key())) | {"kid": "ehr-1", "alg": "ES384"}
    jwks = folder / "ehr-jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDLM_")}
    env |= {
        "MEDLM_DATA_DIR": str(folder / "data"),
        "MEDLM_SECURITY__DEV_NO_AUTH_LOOPBACK": "false",
        "MEDLM_SECURITY__ENCRYPTION_KEY_FILE": str(folder / "keys.json"),
        "MEDLM_SECURITY__CDS_TRUSTED_ISSUERS": json.dumps({ISSUER: str(jwks)}),
        "MEDLM_SECURITY__CDS_AUDIENCE_BASE": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    if url:
        env["MEDLM_DATABASE_URL"] = url
    medlm(env, "keys", "generate", str(folder / "keys.json"))
    return env, key


def api_key(env: dict[str, str]) -> str:
    medlm(env, "users", "create", "load-clinician", "--role", "clinician")
    created = json.loads(medlm(env, "tokens", "create", "load-clinician", "--json"))
    return str(created["token"])


def start_service(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[Any]:
    command = [MEDLM, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as out:
        server = subprocess.Popen(
            [*command, "--workers", str(workers)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count("Application startup complete") >= workers:
            return server
        if server.poll() is not None or "Traceback" in log.read_text(errors="replace"):
            break
        time.sleep(0.5)
    stop_service(server)
    raise SystemExit(f"the service did not start; its log:\n{log.read_text(errors='replace')}")


def stop_service(server: subprocess.Popen[Any]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def vitals_body(
    templates: list[VitalSigns], client: int, step: int, batch: int, start: datetime
) -> dict[str, Any]:
    """`batch` sets, one per patient of this client, all timed `step` minutes after `start`."""
    sets = []
    for j in range(batch):
        template = templates[(step * batch + j) % len(templates)]
        update = {"patient_id": f"load-{client}-{j}", "time": start + timedelta(minutes=step)}
        vitals = template.model_copy(update=update)
        sets.append(vitals.model_dump(mode="json", exclude={"sources"}, exclude_none=True))
    return {"vitals": sets}


def order_sign_call() -> dict[str, Any]:
    """An order-sign hook call: clopidogrel drafted for a CYP2C19 poor metabolizer."""

    def code(c: str) -> dict[str, Any]:
        return {"coding": [{"system": "http://loinc.org", "code": c}]}

    genotype = {
        "resourceType": "Observation", "id": "g1", "status": "final",
        "subject": {"reference": "Patient/p1"}, "code": code("84413-4"),
        "valueCodeableConcept": {"text": "*2/*2"},
        "component": [
            {"code": code("48018-6"), "valueCodeableConcept": {"text": "CYP2C19"}},
            {"code": code("53040-2"), "valueCodeableConcept": {"text": "Poor metabolizer"}},
        ],
    }  # fmt: skip
    order = {
        "resourceType": "MedicationRequest", "id": "o1", "status": "draft", "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": "clopidogrel 75 mg"},
    }  # fmt: skip
    patient = {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1960-01-01"}
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": genotype}]}
    draft = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": order}]}
    return {
        "hook": "order-sign", "hookInstance": str(uuid.uuid4()),
        "context": {"patientId": "p1", "userId": "Practitioner/1", "draftOrders": draft},
        "prefetch": {"patient": patient, "observations": bundle},
    }  # fmt: skip


def answered(route: str, body: dict[str, Any]) -> bool:
    """A 200 that did the work: every vital-sign item read, or the CDS card given."""
    return bool(body["cards"]) if route == "cds-hook" else not body["errors"]


def client_token(key: Any, audience: str) -> str:
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "aud": audience, "jti": str(uuid.uuid4()), "iat": now,
              "exp": now + timedelta(minutes=5)}  # fmt: skip
    return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "ehr-1"})


async def one_client(
    n: int,
    http: httpx.AsyncClient,
    args: argparse.Namespace,
    auth: tuple[str, Any],
    out: list[Call],
) -> None:
    token, cds_key = auth
    hook = f"http://127.0.0.1:{args.port}/cds-services/{cds.ORDER_SIGN}"
    templates = [v for s in make_scenarios(per_kind=1) for v in s.sets]
    start = datetime.now(UTC) - timedelta(days=20)
    deadline = time.perf_counter() + args.duration
    step = 0
    while time.perf_counter() < deadline:
        step += 1
        if args.cds_every and step % args.cds_every == 0:
            route, url, body = "cds-hook", hook, order_sign_call()
            headers = {"Authorization": f"Bearer {client_token(cds_key, hook)}"}
        else:
            body = vitals_body(templates, n, step, args.batch, start)
            route, url = "vitals", "/v1/vitals"
            headers = {"Authorization": f"Bearer {token}"}
        began = time.perf_counter()
        error = ""
        try:
            response = await http.post(url, json=body, headers=headers)
            status = response.status_code
        except httpx.HTTPError as exc:
            status, error = -1, f"{type(exc).__name__}: {exc}"
        if status == 200 and not answered(route, response.json()):
            status = 0
        out.append(Call(route, time.perf_counter() - began, status, error))


async def drive(base: str, args: argparse.Namespace, auth: tuple[str, Any]) -> list[Call]:
    calls: list[Call] = []
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await asyncio.gather(*(one_client(n, http, args, auth, calls) for n in range(args.clients)))
    return calls


def report(calls: list[Call], args: argparse.Namespace, backend: str, wall: float) -> None:
    print(f"CPU: {cpu_model()}; load average (1 min) after the run: {os.getloadavg()[0]:.1f}")
    setup = f"database: {backend}; workers {args.workers}; clients {args.clients}; "
    print(setup + f"{args.batch} sets a vitals request; every {args.cds_every}th a CDS call")
    print(f"{len(calls)} requests in {wall:.1f} s: {len(calls) / wall:.1f} requests/s")
    for route in sorted({c.route for c in calls}):
        mine = [c for c in calls if c.route == route]
        ms = [c.seconds * 1000 for c in mine]
        q = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
        errors = sum(c.status != 200 for c in mine)
        rate = f"{route:9s} {len(mine):6d} requests {len(mine) / wall:7.1f}/s"
        print(f"  {rate}  p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  "
              f"errors {errors}")  # fmt: skip
    statuses = sorted({c.status for c in calls if c.status != 200})
    print(f"errors: {sum(c.status != 200 for c in calls)} (statuses other than 200: {statuses})")
    for error, count in Counter(c.error for c in calls if c.error).most_common():
        print(f"  {count} x no answer: {error}")
    sets = sum(c.status == 200 for c in calls if c.route == "vitals") * args.batch
    print(f"vital-sign sets stored: {sets} ({sets / wall:.0f}/s)")


def run(args: argparse.Namespace, folder: Path, url: str | None) -> int:
    env, cds_key = service_env(folder, url, args.port)
    token = api_key(env)
    log = folder / "serve.log"
    server = start_service(env, args.port, args.workers, log)
    try:
        began = time.perf_counter()
        calls = asyncio.run(drive(f"http://127.0.0.1:{args.port}", args, (token, cds_key)))
        wall = time.perf_counter() - began
    finally:
        stop_service(server)
    report(calls, args, "PostgreSQL" if url else "SQLite", wall)
    tracebacks = log.read_text(errors="replace").count("Traceback")
    print(f"server log: {tracebacks} tracebacks")
    verify = subprocess.run([MEDLM, "audit", "verify"], env=env, capture_output=True, text=True)
    print(f"$ medlm audit verify  (exit {verify.returncode})")
    print((verify.stdout + verify.stderr).strip())
    return 0 if verify.returncode == 0 and all(c.status == 200 for c in calls) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds of load.")
    parser.add_argument("--batch", type=int, default=10, help="Vital-sign sets per request.")
    parser.add_argument("--cds-every", type=int, default=10, help="Every Kth call is a CDS hook.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--url", default=os.environ.get("MEDLM_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    base = args.url if args.url and args.url != "unavailable" else None
    if base is None:
        print("warning: MEDLM_TEST_POSTGRES_URL is not set; running on SQLite", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="medlm-load-") as tmp:
        schema, url = postgres_schema(base) if base else (None, None)
        try:
            return run(args, Path(tmp), url)
        finally:
            if base and schema:
                drop_schema(base, schema)


if __name__ == "__main__":
    raise SystemExit(main())
