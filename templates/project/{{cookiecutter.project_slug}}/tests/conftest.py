{%- if cookiecutter._model -%}
"""Shared fixtures: the model in models/, and a new app for every test."""
{%- else -%}
"""Shared fixtures: a model trained once per test session, and a new app for every test."""
{%- endif %}

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
{%- if cookiecutter._model %}


def approximately(value: Any) -> Any:
    """``value`` with each float as ``pytest.approx``: equal up to the last bits, which a
    batch of another size may round differently.  Dicts and lists are compared inside."""
    if isinstance(value, dict):
        return {key: approximately(item) for key, item in value.items()}
    if isinstance(value, list):
        return [approximately(item) for item in value]
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-6, abs=1e-9)
    return value


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The model the service was made for, which ``fastml new --model`` copied here."""
    return Path(__file__).resolve().parents[1] / "models" / "{{ cookiecutter.model_file }}"
{%- else %}
from app.train import train


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "{{ cookiecutter.model_file }}"
    train(path)
    return path
{%- endif %}
{%- if cookiecutter.auth == 'api_key' %}


# The API key of the tests' apps, which their clients send.
API_KEY = "test-key"
KEY_HEADERS = {"X-API-Key": API_KEY}
{%- endif %}


@pytest.fixture
def make_settings(model_path: Path) -> Callable[..., Settings]:
    """Settings with the session's model and the values a test gives: make_settings(port=80)."""

    def make(**values: Any) -> Settings:
        values.setdefault("model_path", model_path)
{%- if cookiecutter.auth == 'api_key' %}
        values.setdefault("api_keys", [API_KEY])
{%- endif %}
{%- if cookiecutter.model_framework == 'pytorch' %}
        # auto: the GPU where there is one, the CPU elsewhere, so the tests run anywhere.
        values.setdefault("device", "auto")
{%- endif %}
        return Settings(**values)

    return make


@pytest.fixture
def make_client(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    """A client of a new app, after start-up, with the settings a test gives."""
    with ExitStack() as clients:

        def make(**values: Any) -> TestClient:
            app = create_app(make_settings(**values))
            return clients.enter_context(TestClient(app{{ ', headers=KEY_HEADERS' if cookiecutter.auth == 'api_key' else '' }}))

        yield make


@pytest.fixture
def app(make_settings: Callable[..., Settings]) -> FastAPI:
    """A new app with the default settings and the session's model; a test may change it."""
    return create_app(make_settings())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of ``app``, after start-up."""
    with TestClient(app{{ ', headers=KEY_HEADERS' if cookiecutter.auth == 'api_key' else '' }}) as client:
        yield client
