"""GET /livez and GET /readyz, before and after the model is loaded."""

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import app


def test_livez_answers_while_the_process_runs(client: TestClient) -> None:
    response = client.get("/livez")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_is_200_once_the_model_is_loaded(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["model_version"].startswith("iris-")


def test_readyz_is_503_before_start_up() -> None:
    client = TestClient(app)  # not entered: the lifespan has not run, no model is loaded

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "not ready"


def test_readyz_says_how_to_create_a_missing_model(
    tmp_path: Path, use_settings: Callable[..., Settings]
) -> None:
    use_settings(model_path=tmp_path / "missing-{{ cookiecutter.model_file }}")
    with TestClient(app) as client:
        readiness = client.get("/readyz")
        liveness = client.get("/livez")

    assert readiness.status_code == 503
    assert "python -m app.train" in readiness.json()["detail"]
    assert liveness.status_code == 200
