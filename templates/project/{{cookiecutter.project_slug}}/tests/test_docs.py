"""Swagger UI at /docs, ReDoc at /redoc, and the OpenAPI schema behind both."""

from fastapi.testclient import TestClient

TITLE = "{{ cookiecutter.project_name }}"


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
    assert "POST /predict" in schema["info"]["description"]
    assert {"/predict", "/livez", "/readyz"} <= set(schema["paths"])
    predict = schema["paths"]["/predict"]["post"]
    assert predict["tags"] == ["predict"]
    assert predict["summary"]
    assert {tag["name"] for tag in schema["tags"]} >= {"predict", "health"}


def test_openapi_documents_the_predict_body(client: TestClient) -> None:
    # /predict reads its body itself (app/fastpath.py), so the schema is written out in full.
    schema = client.get("/openapi.json").json()

    body = schema["paths"]["/predict"]["post"]["requestBody"]
    assert body["required"] is True
    request = body["content"]["application/json"]["schema"]
    assert request["title"] == "PredictRequest"
    assert request["examples"]
    flower = request["properties"]["instances"]["items"]
    assert set(flower["properties"]) == {
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
    }
    assert "$ref" not in str(request)
