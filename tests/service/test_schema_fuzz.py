"""Schemathesis against the service's own OpenAPI schema, called with a real clinician API key:
no route answers a server error, and every answer conforms to the schema (its status is
documented, its body matches that status's schema, its content type is the documented one)."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = {"positive": 8, "negative": 4}
"""Examples per operation and generation mode (bounded: the module runs in about a minute)."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """The app with authentication on (no development switch) and a clinician's API key made
    through the credential store, as `medlm users create` and `medlm tokens create` do."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    ring = "fuzz:" + base64.b64encode(os.urandom(32)).decode()  # records are stored encrypted
    security = {"dev_no_auth_loopback": False, "encryption_keys": ring}
    config = Settings(data_dir=folder, security=security)
    engine = make_engine(config)
    upgrade(engine)
    store = CredentialStore(engine)
    store.create_user("fuzz-clinician", Role.CLINICIAN)
    key, _ = store.create_api_key("fuzz-clinician")
    engine.dispose()
    app = create_app(config)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {key}"}
        # The text analyzer loads its dictionaries on first use; do it before timing requests.
        warm = client.post("/v1/text/extract", json={"text": "warm up"}, headers=headers)
        assert warm.status_code == 200, warm.text
        yield app, key


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Server-sent events never end, so the stream cannot be fuzzed.
    return [op for op in operations if not op.path.endswith("/stream")]


def _fuzz(operation: Any, key: str, mode: Any, examples: int) -> str | None:
    """The first failure of `examples` generated calls of one operation, or None."""
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=checks)

    try:
        fuzz()
    except (Exception, BaseExceptionGroup) as exc:
        if type(exc).__name__ == "Unsatisfiable":  # nothing to make invalid (no parameters)
            return None
        return f"{operation.label} ({mode.value}): {type(exc).__name__}: {str(exc)[:600]}"
    return None


@pytest.mark.slow
@pytest.mark.parametrize("mode", sorted(EXAMPLES))
def test_every_route_answers_documented_statuses_and_bodies_without_server_errors(
    served: tuple[FastAPI, str], mode: str
) -> None:
    app, key = served
    generation = schemathesis.GenerationMode(mode)
    operations = _operations(app)
    assert len(operations) >= 20  # every route of the app is in the schema and fuzzed
    failures = [_fuzz(op, key, generation, EXAMPLES[mode]) for op in operations]
    found = [f for f in failures if f]
    assert not found, "\n".join(found)


def test_every_guarded_operation_documents_401_and_every_body_route_413(
    served: tuple[FastAPI, str],
) -> None:
    app, _ = served
    schema = app.openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "security" in operation:
                assert {"401", "503"} <= set(responses), f"{method} {path}"
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(responses), f"{method} {path}"
            for status, answer in responses.items():
                if status.startswith(("4", "5")):
                    assert "application/json" in answer.get("content", {}), f"{method} {path}"
