"""POST /predict: answers, batches and validation."""

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import app
from app.schemas import SETOSA, VIRGINICA, PredictResponse

VERSICOLOR = {"sepal_length": 6.0, "sepal_width": 2.7, "petal_length": 4.2, "petal_width": 1.3}
SPECIES = {"setosa", "versicolor", "virginica"}


def test_predicts_one_instance(client: TestClient) -> None:
    response = client.post("/predict", json={"instances": [SETOSA]})

    assert response.status_code == 200
    body = response.json()
    # /predict builds its answer without the model (app/routers/predict.py): same shape.
    assert PredictResponse.model_validate(body).model_dump() == body
    [prediction] = body["predictions"]
    assert prediction["label"] == "setosa"
    assert set(prediction["probabilities"]) == SPECIES
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)
    assert body["model_version"].startswith("iris-")


def test_predicts_a_batch_in_order(client: TestClient) -> None:
    response = client.post("/predict", json={"instances": [SETOSA, VERSICOLOR, VIRGINICA]})

    assert response.status_code == 200
    labels = [p["label"] for p in response.json()["predictions"]]
    assert labels == ["setosa", "versicolor", "virginica"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"instances": []},
        {"instances": [{**SETOSA, "sepal_length": -1.0}]},
        {"instances": [{**SETOSA, "petal_width": "wide"}]},
        {"instances": [{k: v for k, v in SETOSA.items() if k != "sepal_width"}]},
        {"instances": [{**SETOSA, "colour": "blue"}]},
        {"instances": SETOSA},
    ],
    ids=["empty", "no-instances", "negative", "not-a-number", "missing", "unknown", "not-a-list"],
)
def test_rejects_invalid_input_with_422(client: TestClient, body: object) -> None:
    response = client.post("/predict", json=body)

    assert response.status_code == 422
    assert all(error["loc"][0] == "body" for error in response.json()["detail"])


def test_says_which_field_is_invalid(client: TestClient) -> None:
    response = client.post("/predict", json={"instances": [{**SETOSA, "sepal_length": -1.0}]})

    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "instances", 0, "sepal_length"]
    assert error["type"] == "greater_than"
    assert error["msg"] == "Input should be greater than 0"


def test_rejects_malformed_json_with_422(client: TestClient) -> None:
    response = client.post(
        "/predict", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_rejects_a_body_not_sent_as_json_with_415(client: TestClient, content_type: str) -> None:
    response = client.post(
        "/predict",
        content=b'{"instances": []}',
        headers={"content-type": content_type},
    )

    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["detail"]


def test_accepts_json_with_a_charset(client: TestClient) -> None:
    response = client.post(
        "/predict",
        content=b'{"instances": [{"sepal_length": 5.1, "sepal_width": 3.5, '
        b'"petal_length": 1.4, "petal_width": 0.2}]}',
        headers={"content-type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 200


def test_limits_the_batch_size(model_path: Path, use_settings: Callable[..., Settings]) -> None:
    use_settings(model_path=model_path, max_batch_size=2)
    with TestClient(app) as client:
        response = client.post("/predict", json={"instances": [SETOSA] * 3})

    assert response.status_code == 422
    assert "at most 2" in response.json()["detail"]


def test_answers_503_without_a_model(tmp_path: Path, use_settings: Callable[..., Settings]) -> None:
    use_settings(model_path=tmp_path / "missing-{{ cookiecutter.model_file }}")
    with TestClient(app) as client:
        response = client.post("/predict", json={"instances": [SETOSA]})

    assert response.status_code == 503
    assert "python -m app.train" in response.json()["detail"]
