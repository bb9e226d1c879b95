"""/docs from vendored Swagger UI (no other host), and the OpenAPI bearer security scheme."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medlm.service.app import create_app
from medlm.settings import Settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield TestClient(create_app(settings))  # docs and schema need no services


def test_docs_page_references_no_other_host(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.text
    links = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", response.text)
    assert links, "the page should load its script and stylesheet"
    assert all(link.startswith("/") and not link.startswith("//") for link in links), links
    assert "http://" not in response.text and "https://" not in response.text


def test_the_docs_assets_are_served_locally(client: TestClient) -> None:
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        response = client.get(f"/static/swagger-ui/{asset}")
        assert response.status_code == 200 and len(response.content) > 100, asset


def test_openapi_declares_a_bearer_scheme_on_guarded_routes_only(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == schemes["bearer"] | {"type": "http", "scheme": "bearer"}
    paths = schema["paths"]
    assert paths["/v1/vitals"]["post"]["security"] == [{"bearer": []}]
    assert paths["/v1/privacy/deidentify"]["post"]["security"] == [{"bearer": []}]
    assert paths["/cds-services/{service_id}"]["post"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/cds-services"]["get"]
    assert "security" not in paths["/health"]["get"]


def test_the_vendored_swagger_ui_assets_are_package_data() -> None:
    import glob
    import tomllib
    from pathlib import Path

    import medlm

    root = Path(__file__).resolve().parents[2]
    package = Path(medlm.__file__).parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["medlm"]
    packaged = {p for pattern in patterns for p in glob.glob(pattern, root_dir=package)}
    assets = {
        str(p.relative_to(package)) for p in (package / "service/static/swagger-ui").iterdir()
    }
    assert assets and assets <= packaged, sorted(assets - packaged)
