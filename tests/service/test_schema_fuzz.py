"""Schemathesis against the service's OpenAPI schema: no 500s, no unhandled exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from medlm.service.app import create_app
from medlm.settings import Settings

schemathesis = pytest.importorskip("schemathesis")


@pytest.mark.slow
def test_no_route_answers_500(tmp_path: Path) -> None:
    from schemathesis.checks import not_a_server_error

    app = create_app(Settings(data_dir=tmp_path, security={"dev_no_auth_loopback": True}))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/stream"):  # server-sent events never end: not fuzzable
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6, deadline=None, database=None, derandomize=True,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def fuzz(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # collect every failing route
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, "\n".join(failures)
