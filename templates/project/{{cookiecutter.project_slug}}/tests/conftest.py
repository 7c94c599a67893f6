"""Shared fixtures: a model trained once per test session, and a client of the app."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings, get_settings
from app.main import app
from app.train import train


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "{{ cookiecutter.model_file }}"
    train(path)
    return path


@pytest.fixture
def use_settings() -> Iterator[Callable[..., Settings]]:
    """Run the app with settings of the test's choosing (start-up included)."""

    def apply(**values: object) -> Settings:
{%- if cookiecutter.model_framework == 'pytorch' %}
        # auto: the GPU where there is one, the CPU elsewhere, so the tests run anywhere.
        values.setdefault("device", "auto")
{%- endif %}
        settings = Settings(**values)  # type: ignore[arg-type]
        app.dependency_overrides[get_settings] = lambda: settings
        return settings

    yield apply
    app.dependency_overrides.clear()


@pytest.fixture
def client(model_path: Path, use_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """A client of the app after start-up, with the session's trained model loaded."""
    use_settings(model_path=model_path)
    with TestClient(app) as test_client:
        yield test_client
