{%- set m = cookiecutter._model -%}
"""Swagger UI at /docs, ReDoc at /redoc, and the OpenAPI schema behind both."""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.schemas import {{ ('N_FEATURES' if m.get('arrays') else 'COLUMNS') if m else 'FEATURES' }}

TITLE = "{{ cookiecutter.project_name }}"
REF = "#/components/schemas/"


# Every URL a page loads: its scripts, styles, icon and the schema.
URL = re.compile(r"""(?:src|href|url|spec-url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize(("path", "marker"), [("/docs", "swagger-ui"), ("/redoc", "redoc")])
def test_docs_pages_load_everything_from_this_server(
    client: TestClient, path: str, marker: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert marker in response.text.lower()
    # The browser may fetch nothing from another host, whatever the page's scripts try.
    assert "default-src 'self'" in response.headers["content-security-policy"]
    urls = URL.findall(response.text)
    assert urls
    for url in urls:
        assert urlsplit(url).netloc == "", f"{path} loads {url} from another host"
        assert client.get(url).status_code == 200, url


def test_docs_can_be_turned_off(make_client: Callable[..., TestClient]) -> None:
    client = make_client(docs_enabled=False)

    for path in ("/docs", "/redoc", "/openapi.json", "/docs/static/swagger-ui.css"):
        assert client.get(path).status_code == 404, path
    index = client.get("/")
    assert index.status_code == 200
    assert index.json()["name"] == TITLE
    assert "POST /predict" in index.json()["routes"]


def test_the_root_leads_to_the_docs(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)

    assert response.status_code == 307
    assert response.headers["location"] == "/docs"


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    assert schema["info"]["title"] == TITLE
    assert {"/predict", "/livez", "/readyz"} <= set(schema["paths"])
    predict = schema["paths"]["/predict"]["post"]
    assert predict["tags"] == ["predict"]
    assert predict["summary"]


def test_openapi_documents_the_predict_body(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]

    body = schema["paths"]["/predict"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": f"{REF}PredictRequest"}
    request = components["PredictRequest"]
    assert request["examples"]
{%- if m.get('arrays') %}
    items = request["properties"]["instances"]["items"]
    assert items["type"] == "array"
    assert items["minItems"] == items["maxItems"] == N_FEATURES
{%- else %}
    assert request["properties"]["instances"]["items"] == {"$ref": f"{REF}{{ 'Features' if m else 'IrisFeatures' }}"}
    assert set(components["{{ 'Features' if m else 'IrisFeatures' }}"]["properties"]) == set({{ 'COLUMNS' if m else 'FEATURES' }})
{%- endif %}
