"""GET /livez and GET /readyz: before start-up, with a model, and with a model that cannot serve."""

{% if cookiecutter.model_framework in ['custom', 'onnx'] -%}
import json
{% endif -%}
from collections.abc import Callable
from pathlib import Path

{% if cookiecutter.model_framework == 'sklearn' -%}
import joblib
{% elif cookiecutter.model_framework == 'onnx' -%}
import onnx
{% elif cookiecutter.model_framework == 'pytorch' -%}
import torch
{% endif -%}
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.schemas import FEATURES

PREFIX = "{{ cookiecutter.env_prefix }}"


def test_livez_answers_while_the_process_runs(client: TestClient) -> None:
    response = client.get("/livez")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_is_200_once_the_model_is_loaded(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["model_version"].startswith("iris-")


def test_readyz_is_503_before_start_up(app: FastAPI) -> None:
    client = TestClient(app)  # not entered: no start-up, no model

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "not ready"


def test_readyz_says_how_to_create_a_missing_model_without_naming_paths(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(model_path=tmp_path / "missing" / "{{ cookiecutter.model_file }}")

    readiness = client.get("/readyz")
    liveness = client.get("/livez")

    assert readiness.status_code == 503
    detail = readiness.json()["detail"]
    assert "python -m app.train" in detail
    assert f"{PREFIX}MODEL_PATH" in detail  # the setting to change
    assert str(tmp_path) not in readiness.text
    assert "/" not in detail
    assert liveness.status_code == 200


def test_readyz_names_the_features_of_a_model_made_for_others(
    model_path: Path, tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    reversed_features = list(reversed(FEATURES))
    other = tmp_path / "{{ cookiecutter.model_file }}"
{%- if cookiecutter.model_framework == 'sklearn' %}
    artifact = joblib.load(model_path)
    artifact["features"] = reversed_features
    joblib.dump(artifact, other)
{%- elif cookiecutter.model_framework == 'onnx' %}
    graph = onnx.load(model_path)
    for prop in graph.metadata_props:
        if prop.key == "features":
            prop.value = json.dumps(reversed_features)
    onnx.save(graph, other)
{%- elif cookiecutter.model_framework == 'pytorch' %}
    checkpoint = torch.load(model_path, weights_only=True)
    checkpoint["features"] = reversed_features
    torch.save(checkpoint, other)
{%- else %}
    saved = json.loads(model_path.read_text(encoding="utf-8"))
    saved["features"] = reversed_features
    other.write_text(json.dumps(saved), encoding="utf-8")
{%- endif %}
    client = make_client(model_path=other)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    detail = response.json()["detail"]
    assert str(reversed_features) in detail  # what the model was made for
    assert str(list(FEATURES)) in detail  # what the API sends
