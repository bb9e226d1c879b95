"""Service skeleton: health and version routes, OpenAPI docs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from medlm import __version__
from medlm.service.app import create_app
from medlm.settings import Settings


def test_health_and_version(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        body = client.get("/version").json()
        assert body["version"] == __version__
        assert "not a medical device" in body["disclaimer"]
        assert client.get("/openapi.json").status_code == 200
