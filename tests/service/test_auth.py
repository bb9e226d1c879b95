"""Authentication, roles and audit on the service: every /v1 route, present or future."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from medlm.errors import ConfigError
from medlm.privacy.auth import Role, issue_token
from medlm.service.app import create_app
from medlm.service.auth import check_dev_switch
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.storage.tables.privacy import AuditEntry

SECRET = "test-jwt-secret-that-is-long-enough-0123456789"


def _settings(tmp_path: Path, **security: object) -> Settings:
    return Settings(
        data_dir=tmp_path / "auth-data",
        security={"dev_no_auth_loopback": False, "jwt_secret": SECRET, **security},
    )


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    settings = _settings(tmp_path)
    yield TestClient(create_app(settings)), settings


def _walk(routes: list[Any]) -> Iterator[Any]:
    """Every concrete route; FastAPI >= 0.16x keeps included routers as lazy branches."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        yield from (contexts() if callable(contexts) else [route])


def _v1_requests(client: TestClient) -> list[tuple[str, str]]:
    """(method, concrete path) for every /v1 route of the app, path parameters filled."""
    found = []
    for route in _walk(client.app.routes):  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if not path.startswith("/v1"):
            continue
        methods = getattr(route, "methods", None) or {"GET"}
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        found += [(m, concrete) for m in sorted(methods) if m != "HEAD"]
    return found


def test_route_walk_covers_every_documented_v1_path(secured: tuple[TestClient, Settings]) -> None:
    client, _ = secured
    walked = {path for _, path in _v1_requests(client)}
    documented = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    for path in documented:
        if path.startswith("/v1"):
            assert re.sub(r"\{[^}]+\}", "x1", path) in walked, path


def _bearer(settings: Settings, role: Role) -> dict[str, str]:
    token, _ = issue_token(settings.security, f"{role.value}-user", role)
    return {"Authorization": f"Bearer {token}"}


def test_every_v1_route_answers_401_without_a_token(secured: tuple[TestClient, Settings]) -> None:
    client, _ = secured
    requests = _v1_requests(client)
    assert ("POST", "/v1/privacy/deidentify") in requests and len(requests) >= 5
    for method, path in requests:
        response = client.request(method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"] == "Bearer"


def test_researcher_gets_403_on_identified_routes(secured: tuple[TestClient, Settings]) -> None:
    client, settings = secured
    headers = _bearer(settings, Role.RESEARCHER)
    for method, path in _v1_requests(client):
        if path.startswith("/v1/privacy/"):
            continue
        response = client.request(method, path, headers=headers)
        assert response.status_code == 403, (method, path, response.status_code)


def test_researcher_may_deidentify_but_not_verify_the_audit(
    secured: tuple[TestClient, Settings],
) -> None:
    client, settings = secured
    headers = _bearer(settings, Role.RESEARCHER)
    ok = client.post("/v1/privacy/deidentify", json={"text": "Pt John Smith, Age 93."},
                     headers=headers)  # fmt: skip
    assert ok.status_code == 200
    assert ok.json()["text"] == "Pt [NAME], Age 90 or older."
    assert client.get("/v1/privacy/audit/verify", headers=headers).status_code == 403


def test_bad_expired_and_revoked_tokens_are_401(secured: tuple[TestClient, Settings]) -> None:
    client, settings = secured
    url = "/v1/privacy/deidentify"
    body = {"text": "x"}
    claims = {"sub": "a", "role": "admin", "jti": "j", "iss": "medlm"}
    forged = jwt.encode(claims | {"exp": datetime.now(UTC) + timedelta(hours=1)}, "other" * 10)
    expired = jwt.encode(claims | {"exp": datetime.now(UTC) - timedelta(minutes=1)}, SECRET)
    for token in ("garbage", forged, expired, "mlk_nokey_nosecret"):
        response = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    token, jti = issue_token(settings.security, "c", Role.CLINICIAN)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(url, json=body, headers=headers).status_code == 200
    services_of(client.app).credentials.revoke_token(jti)
    assert client.post(url, json=body, headers=headers).status_code == 401


def test_api_key_works_until_revoked_and_is_stored_hashed(
    secured: tuple[TestClient, Settings],
) -> None:
    client, _ = secured
    store = services_of(client.app).credentials
    store.create_user("ana", Role.CLINICIAN)
    key, key_id = store.create_api_key("ana")
    headers = {"Authorization": f"Bearer {key}"}
    assert (
        client.post("/v1/privacy/deidentify", json={"text": "x"}, headers=headers).status_code
        == 200
    )
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT key_hash FROM api_keys")).scalar_one()
    assert key.split("_", 2)[2] not in stored
    store.revoke_api_key(key_id)
    assert (
        client.post("/v1/privacy/deidentify", json={"text": "x"}, headers=headers).status_code
        == 401
    )


def test_audit_records_who_route_patient_and_outcome_and_detects_tampering(
    secured: tuple[TestClient, Settings],
) -> None:
    client, settings = secured
    headers = _bearer(settings, Role.ADMIN)
    client.get("/v1/patients/p-77/vitals", headers=headers)
    client.post("/v1/privacy/deidentify", json={"text": "x"}, headers=headers)
    assert client.get("/v1/privacy/audit/verify", headers=headers).json()["ok"] is True
    audit = services_of(client.app).audit
    with audit.engine.begin() as conn:
        rows = conn.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert rows[0].actor == "admin-user" and rows[0].patient_id == "p-77"
        assert rows[0].route == "GET /v1/patients/{patient_id}/vitals" and rows[0].action == "read"
        conn.execute(sa.update(AuditEntry).where(AuditEntry.seq == 1).values(outcome=200))
    assert audit.verify().ok is False
    with audit.engine.begin() as conn:
        conn.execute(
            sa.update(AuditEntry).where(AuditEntry.seq == 1).values(outcome=rows[0].outcome)
        )
    assert audit.verify().ok is True
    with audit.engine.begin() as conn:
        conn.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 2))
    result = audit.verify()
    assert not result.ok and "link broken" in result.problems[0]


def test_no_auth_switch_is_refused_off_loopback(tmp_path: Path) -> None:
    settings = _settings(tmp_path, dev_no_auth_loopback=True)
    settings.service.host = "0.0.0.0"
    with pytest.raises(ConfigError, match="loopback"):
        create_app(settings)


@pytest.mark.parametrize("host", ["127.0.0.2", "0.0.0.0", "10.0.0.5", "::", "localhost.example"])
def test_no_auth_switch_is_refused_when_the_bound_host_is_not_loopback(
    tmp_path: Path, host: str
) -> None:
    settings = _settings(tmp_path, dev_no_auth_loopback=True)  # settings say 127.0.0.1
    with pytest.raises(ConfigError, match=repr(host)):
        check_dev_switch(settings, host)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_no_auth_switch_is_allowed_when_the_bound_host_is_loopback(
    tmp_path: Path, host: str
) -> None:
    settings = _settings(tmp_path, dev_no_auth_loopback=True)
    settings.service.host = "0.0.0.0"  # the bound host given wins over the setting
    check_dev_switch(settings, host)


def test_no_auth_switch_admits_loopback_callers(tmp_path: Path) -> None:
    client = TestClient(create_app(_settings(tmp_path, dev_no_auth_loopback=True)))
    assert client.post("/v1/privacy/deidentify", json={"text": "x"}).status_code == 200


def test_audit_names_the_patients_carried_in_request_bodies(
    secured: tuple[TestClient, Settings],
) -> None:
    client, settings = secured
    headers = _bearer(settings, Role.CLINICIAN)
    vital = {
        "time": "2026-01-01T08:00:00Z", "respiratory_rate": 18, "spo2": 97, "on_oxygen": False,
        "systolic_bp": 120, "heart_rate": 80, "consciousness": "A", "temperature_c": 37.0,
    }  # fmt: skip
    batch = [vital | {"patient_id": p} for p in ("b-2", "b-1", "b-2")]
    assert client.post("/v1/vitals", json={"vitals": batch}, headers=headers).status_code == 200
    audit = services_of(client.app).audit
    with audit.engine.connect() as conn:
        (entry,) = conn.execute(sa.select(AuditEntry)).all()
    assert entry.route == "POST /v1/vitals" and entry.patient_id == "b-1,b-2"
    assert audit.verify().ok is True


def test_cds_hook_calls_need_credentials_and_discovery_stays_open(
    secured: tuple[TestClient, Settings],
) -> None:
    client, _ = secured
    hooks = [
        (m, re.sub(r"\{[^}]+\}", "x1", route.path))
        for route in _walk(client.app.routes)  # type: ignore[attr-defined]
        if getattr(route, "path", "").startswith("/cds-services")
        for m in sorted(getattr(route, "methods", None) or {"GET"})
        if m != "HEAD"
    ]
    assert ("POST", "/cds-services/x1") in hooks and ("GET", "/cds-services") in hooks
    for method, path in hooks:
        response = client.request(method, path, json={"hook": "patient-view", "hookInstance": "i"})
        if method == "GET":
            assert response.status_code == 200, path  # discovery is public in CDS Hooks
        else:
            assert response.status_code == 401, (method, path)
            assert response.headers["www-authenticate"] == "Bearer"


def _cds_client(tmp_path: Path) -> tuple[TestClient, Settings, Any]:
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key())) | {"kid": "ehr-1", "alg": "ES384"}
    jwks = tmp_path / "ehr-jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    settings = _settings(tmp_path, cds_trusted_issuers={"https://ehr.example": str(jwks)})
    return TestClient(create_app(settings)), settings, key


_HOOK_BODY = {"hook": "patient-view", "hookInstance": "i", "context": {"patientId": "p-9"}}


def _hook_url() -> str:
    from medlm.treatment import cds

    return f"/cds-services/{cds.PATIENT_VIEW}"


# With security.cds_audience_base unset, a client token's audience is the server's own
# configured address (service.host and service.port), never the request's Host header.
SERVER = "http://127.0.0.1:8000"


def _client_claims(jti: str) -> dict[str, Any]:
    """Claims of a valid client token for the patient-view hook of the test server."""
    now = datetime.now(UTC)
    return {
        "iss": "https://ehr.example", "aud": f"{SERVER}{_hook_url()}", "jti": jti,
        "exp": now + timedelta(minutes=5), "iat": now,
    }  # fmt: skip


def _call_hook(client: TestClient, claims: dict[str, Any], signer: Any) -> Any:
    token = jwt.encode(claims, signer, algorithm="ES384", headers={"kid": "ehr-1"})
    return client.post(_hook_url(), json=_HOOK_BODY, headers={"Authorization": f"Bearer {token}"})


def test_trusted_cds_client_jwts_are_verified(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    client, settings, key = _cds_client(tmp_path)
    good = _client_claims("j-1")

    def call(claims: dict[str, Any], signer: Any = key) -> int:
        return int(_call_hook(client, claims, signer).status_code)

    # Each failing variant carries a fresh jti, so only the checked claim can refuse it.
    assert call(good) == 412  # authenticated; the hook then asks for its prefetch
    assert call(good | {"jti": "j-2", "aud": f"{SERVER}/cds-services/other"}) == 401
    assert call(good | {"jti": "j-7", "aud": f"http://testserver{_hook_url()}"}) == 401
    assert call(good | {"jti": "j-3", "exp": datetime.now(UTC) - timedelta(minutes=1)}) == 401
    assert call(good | {"jti": "j-4", "iss": "https://evil.example"}) == 401
    assert call({k: v for k, v in good.items() if k != "jti"}) == 401
    assert call(good | {"jti": "j-5"}, signer=ec.generate_private_key(ec.SECP384R1())) == 401
    assert call(good | {"jti": "j-6"}) == 412  # the same claims, signed by the client, pass
    researcher = _bearer(settings, Role.RESEARCHER)
    url = _hook_url()
    assert client.post(url, json=_HOOK_BODY, headers=researcher).status_code == 403
    clinician = _bearer(settings, Role.CLINICIAN)
    assert client.post(url, json=_HOOK_BODY, headers=clinician).status_code == 412
    audit = services_of(client.app).audit
    with audit.engine.connect() as conn:
        first = conn.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).first()
    assert first is not None and first.actor == "cds-client:https://ehr.example"
    assert first.patient_id == "p-9" and first.outcome == 412


def test_a_cds_client_token_is_accepted_once(tmp_path: Path) -> None:
    client, _, key = _cds_client(tmp_path)

    def call(jti: str) -> Any:
        return _call_hook(client, _client_claims(jti), key)

    assert call("once-1").status_code == 412
    replay = call("once-1")
    assert replay.status_code == 401 and "replay" in replay.json()["detail"]
    assert call("once-2").status_code == 412  # a fresh id from the same client is fine
    assert call("x" * 256).status_code == 401  # longer than the remembered-id column


def test_a_bearer_token_without_a_jwt_secret_configured_is_a_401_not_a_503(
    tmp_path: Path,
) -> None:
    client = TestClient(create_app(_settings(tmp_path, jwt_secret=None)))
    response = client.get("/v1/alerts", headers={"Authorization": "Bearer not-an-api-key"})
    assert response.status_code == 401
    assert "jwt_secret" in response.json()["detail"]
