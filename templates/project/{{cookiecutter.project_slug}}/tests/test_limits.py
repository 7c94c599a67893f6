"""Request size limit (413) and health checks that skip the queue of busy requests."""

from collections.abc import Callable, Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import app
from app.schemas import SETOSA


def test_a_body_over_the_limit_is_refused_with_413(
    model_path: Path, use_settings: Callable[..., Settings]
) -> None:
    use_settings(model_path=model_path, max_request_bytes=200)
    with TestClient(app) as client:
        small = client.post("/predict", json={"instances": [SETOSA]})
        large = client.post("/predict", json={"instances": [SETOSA] * 10})

    assert small.status_code == 200
    assert large.status_code == 413
    assert "larger than 200 bytes" in large.json()["detail"]


def test_a_chunked_body_over_the_limit_is_refused_with_413(
    model_path: Path, use_settings: Callable[..., Settings]
) -> None:
    use_settings(model_path=model_path, max_request_bytes=200)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"instances": ['
        for _ in range(10):
            yield b'{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4}, '
        yield b"]}"

    with TestClient(app) as client:
        response = client.post(
            "/predict", content=chunks(), headers={"content-type": "application/json"}
        )

    assert response.status_code == 413


def test_health_checks_answer_while_every_slot_is_taken(client: TestClient) -> None:
    admission = app.state.admission
    taken = 0
    while not admission.locked():  # as if max_concurrency requests were being served
        admission._value -= 1
        taken += 1
    try:
        assert client.get("/livez").status_code == 200
        assert client.get("/readyz").status_code == 200
    finally:
        admission._value += taken
