"""POST /predict: answers, batches and validation."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.schemas import MAX_INSTANCES, SETOSA, VIRGINICA, PredictResponse

VERSICOLOR = {"sepal_length": 6.0, "sepal_width": 2.7, "petal_length": 4.2, "petal_width": 1.3}
SPECIES = {"setosa", "versicolor", "virginica"}


def test_predicts_one_instance(client: TestClient) -> None:
    response = client.post("/predict", json={"instances": [SETOSA]})

    assert response.status_code == 200
    body = response.json()
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
    [{}, {"instances": []}, {"instances": SETOSA}],
    ids=["empty", "no-instances", "not-a-list"],
)
def test_rejects_a_body_without_a_list_of_instances_with_422(
    client: TestClient, body: dict[str, Any]
) -> None:
    response = client.post("/predict", json=body)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "instances"]]


@pytest.mark.parametrize(
    ("flower", "field"),
    [
        ({**SETOSA, "sepal_length": -1.0}, "sepal_length"),
        ({**SETOSA, "petal_width": "5.1"}, "petal_width"),
        ({**SETOSA, "petal_width": True}, "petal_width"),
        ({k: v for k, v in SETOSA.items() if k != "sepal_width"}, "sepal_width"),
        ({**SETOSA, "colour": "blue"}, "colour"),
    ],
    ids=["negative", "string", "boolean", "missing", "unknown"],
)
def test_rejects_an_invalid_flower_with_422_naming_the_field(
    client: TestClient, flower: dict[str, Any], field: str
) -> None:
    response = client.post("/predict", json={"instances": [SETOSA, flower]})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "instances", 1, field]  # the second flower's field


def test_says_why_a_value_is_invalid(client: TestClient) -> None:
    response = client.post("/predict", json={"instances": [{**SETOSA, "sepal_length": -1.0}]})

    [error] = response.json()["detail"]
    assert error["type"] == "greater_than"
    assert error["msg"] == "Input should be greater than 0"


def test_rejects_malformed_json_with_422(client: TestClient) -> None:
    response = client.post(
        "/predict", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_accepts_json_with_a_charset(client: TestClient) -> None:
    response = client.post(
        "/predict",
        content=b'{"instances": [{"sepal_length": 5.1, "sepal_width": 3.5, '
        b'"petal_length": 1.4, "petal_width": 0.2}]}',
        headers={"content-type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 200


def test_limits_the_number_of_instances(client: TestClient) -> None:
    accepted = client.post("/predict", json={"instances": [SETOSA] * MAX_INSTANCES})
    refused = client.post("/predict", json={"instances": [SETOSA] * (MAX_INSTANCES + 1)})

    assert accepted.status_code == 200
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["loc"] == ["body", "instances"]
    assert error["type"] == "too_long"


def test_answers_503_without_a_model(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(model_path=tmp_path / "missing" / "{{ cookiecutter.model_file }}")

    response = client.post("/predict", json={"instances": [SETOSA]})

    assert response.status_code == 503
    assert "python -m app.train" in response.json()["detail"]
    assert str(tmp_path) not in response.text
