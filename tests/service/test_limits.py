"""Request limits middleware: body size (413), JSON nesting, string length, surrogates, UTF-8."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from medlm.service.limits import LimitRefused, check_json_text, install_limits
from medlm.settings import LimitsSettings, Settings

SMALL = LimitsSettings(max_body_bytes=2048, max_json_depth=4, max_string_chars=100)


def _app(limits: LimitsSettings = SMALL) -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, Any]:
        body = await request.body()
        is_json = request.headers.get("content-type") == "application/json"
        return {"bytes": len(body), "json": json.loads(body) if is_json else None}

    @app.get("/events")
    def events() -> StreamingResponse:
        def stream() -> Iterator[str]:
            for i in range(3):
                yield f"data: {i}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    install_limits(app, limits)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(_app()) as test_client:
        yield test_client


def test_a_body_within_the_limits_reaches_the_route_unchanged(client: TestClient) -> None:
    payload = {"a": [1, {"b": "\U0001f600 caf\u00e9"}], "c": "x" * 100}
    response = client.post("/echo", json=payload)
    assert response.status_code == 200
    assert response.json()["json"] == payload


def test_a_declared_content_length_over_the_limit_is_413_naming_the_setting(
    client: TestClient,
) -> None:
    binary = {"content-type": "application/octet-stream"}
    response = client.post("/echo", content=b"0" * 2049, headers=binary)
    assert response.status_code == 413
    assert "MEDLM_LIMITS__MAX_BODY_BYTES" in response.json()["detail"]
    assert client.post("/echo", content=b"0" * 2048, headers=binary).status_code == 200


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"[" + b"0," * 150 + b"0]"

    response = client.post("/echo", content=chunks(), headers={"content-type": "text/plain"})
    assert response.status_code == 413
    assert "max_body_bytes" in response.json()["detail"]


def test_a_bad_content_length_header_is_400(client: TestClient) -> None:
    response = client.post("/echo", content=b"[]", headers={"content-length": "2x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "setting", "said"),
    [
        ("[[[[[1]]]]]", "MEDLM_LIMITS__MAX_JSON_DEPTH", "5 levels deep"),
        ('{"a": {"b": {"c": {"d": {}}}}}', "MEDLM_LIMITS__MAX_JSON_DEPTH", "5 levels deep"),
        ('{"s": "' + "y" * 101 + '"}', "MEDLM_LIMITS__MAX_STRING_CHARS", "character 6"),
    ],
)
def test_json_deeper_or_longer_than_the_limits_is_400_naming_the_setting(
    client: TestClient, body: str, setting: str, said: str
) -> None:
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert setting in response.json()["detail"]
    assert said in response.json()["detail"]


def test_brackets_and_escapes_inside_strings_do_not_count(client: TestClient) -> None:
    escaped = '[[[[[[ {{{{ \\\\ \\" ' + "\\u0041" * 80  # JSON text of the string
    body = '{"s": "' + escaped + '", "t": ["]]]]", "[[[["]}'
    assert len(escaped) > 100 and len(json.loads(body)["s"]) <= 100
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("escapes", "at"),
    [
        ("\\ud800", 7),
        ("\\udc00", 7),
        ("a\\ud800b", 8),
        ("\\ud800\\ud800\\udc00", 7),
        ("\\ud83d\\u0041", 7),
        ("\\ud83d\\n", 7),
    ],
)
def test_a_lone_surrogate_escape_is_400_naming_its_position(
    client: TestClient, escapes: str, at: int
) -> None:
    body = '{"s": "' + escapes + '"}'
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert f"lone surrogate escape at character {at}" in response.json()["detail"]


def test_an_escaped_backslash_before_u_is_not_a_surrogate_escape(client: TestClient) -> None:
    body = '{"s": "C:\\\\ud800 folder"}'  # the text C:\ud800 folder
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json()["json"] == {"s": "C:\\ud800 folder"}


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_TEXT = st.one_of(st.text(max_size=8), st.sampled_from(["\ud800", "\udc00", "\\u", '"', "[{"]))
_JSON = st.recursive(
    st.one_of(st.none(), st.integers(), _TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)),
    max_leaves=20,
)


@fuzz_settings(max_examples=200, deadline=None, derandomize=True)
@given(value=_JSON, ascii_only=st.booleans())
def test_the_scanner_agrees_with_the_json_parser(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    limits = LimitsSettings(max_json_depth=4, max_string_chars=100)
    try:
        check_json_text(text, limits)
    except LimitRefused as refused:
        if "surrogate" in refused.detail:
            assert not _encodable(value)
        else:
            assert _depth(value) > 4
        return
    assert _depth(value) <= 4
    assert _encodable(value) or not ascii_only  # a raw surrogate is caught by the UTF-8 check


def test_a_surrogate_pair_escape_is_accepted(client: TestClient) -> None:
    body = '{"s": "\\ud83d\\ude00"}'
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json()["json"] == {"s": "\U0001f600"}


def test_invalid_utf8_in_a_json_body_is_400(client: TestClient) -> None:
    body = b'{"s": "\xff\xfe"}'
    response = client.post("/echo", content=body, headers={"content-type": "application/fhir+json"})
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


def test_a_body_without_content_type_is_scanned_as_json(client: TestClient) -> None:
    response = client.post("/echo", content=b"[[[[[[]]]]]]")
    assert response.status_code == 400


def test_a_non_json_body_is_not_scanned(client: TestClient) -> None:
    response = client.post(
        "/echo", content=b"[[[[[[[[", headers={"content-type": "application/octet-stream"}
    )
    assert response.status_code == 200
    assert response.json()["bytes"] == 8


def test_streaming_responses_pass_through(client: TestClient) -> None:
    with client.stream("GET", "/events") as response:
        lines = [line for line in response.iter_lines() if line]
    assert response.status_code == 200
    assert lines == ["data: 0", "data: 1", "data: 2"]


def test_the_scanner_handles_deep_nesting_without_recursion() -> None:
    limits = LimitsSettings(max_json_depth=200_000)
    check_json_text("[" * 100_000 + "]" * 100_000, limits)  # no RecursionError
    with pytest.raises(LimitRefused):
        check_json_text("[" * 100_000, LimitsSettings())


def _service(settings: Settings) -> FastAPI:
    """The service as `create_app` builds it (which installs the limits middleware)."""
    from medlm.service.app import create_app

    return create_app(settings)


def test_the_service_refuses_1000_nested_brackets_with_4xx(settings: Settings) -> None:
    with TestClient(_service(settings)) as client:
        response = client.post(
            "/v1/records/validate", content="[" * 1000, headers={"content-type": "application/json"}
        )
    assert 400 <= response.status_code < 500
    assert "max_json_depth" in response.json()["detail"]


def test_the_service_refuses_a_lone_surrogate_with_4xx(settings: Settings) -> None:
    body = '{"text": "Seen \\ud800 today", "shift_dates": true}'
    with TestClient(_service(settings)) as client:
        response = client.post(
            "/v1/privacy/deidentify", content=body, headers={"content-type": "application/json"}
        )
    assert 400 <= response.status_code < 500
    assert "surrogate" in response.json()["detail"]


@pytest.mark.slow
def test_the_service_refuses_a_30_mb_body_with_413(settings: Settings) -> None:
    body = b'{"text": "' + b"a" * (30 * 1024 * 1024) + b'"}'
    with TestClient(_service(settings)) as client:
        response = client.post(
            "/v1/privacy/deidentify", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
