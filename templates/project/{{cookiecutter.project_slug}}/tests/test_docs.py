"""Swagger UI at /docs, ReDoc at /redoc, and the OpenAPI schema behind both."""

from fastapi.testclient import TestClient

from app.schemas import FEATURES

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
    assert request["properties"]["instances"]["items"] == {"$ref": f"{REF}IrisFeatures"}
    assert set(components["IrisFeatures"]["properties"]) == set(FEATURES)
