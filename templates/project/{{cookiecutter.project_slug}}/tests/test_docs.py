{%- set m = cookiecutter._model -%}
"""Swagger UI at /docs, ReDoc at /redoc, and the OpenAPI schema behind both."""

from fastapi.testclient import TestClient

from app.schemas import {{ ('N_FEATURES' if m.get('arrays') else 'COLUMNS') if m else 'FEATURES' }}

TITLE = "{{ cookiecutter.project_name }}"
REF = "#/components/schemas/"


def test_swagger_ui_is_served(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert "swagger-ui" in response.text


def test_redoc_is_served(client: TestClient) -> None:
    response = client.get("/redoc")

    assert response.status_code == 200
    assert "redoc" in response.text.lower()


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
