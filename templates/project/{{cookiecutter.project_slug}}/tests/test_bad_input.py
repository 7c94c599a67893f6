{%- set m = cookiecutter._model -%}
"""Bodies that are not what /predict expects: each gets a 4xx with a JSON reason, never a 500."""

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
{%- if m or cookiecutter.auth == 'api_key' %}
{% endif %}
{%- if m %}
from app.schemas import SAMPLES
{%- endif %}
{%- if cookiecutter.auth == 'api_key' %}
from tests.conftest import KEY_HEADERS
{%- endif %}

JSON = {"content-type": "application/json"}
{%- if m %}
{%- if m.get('arrays') %}
FIRST = 0  # the first number
VALID = json.dumps(SAMPLES[0][FIRST])  # a value it accepts
# One instance, with the first value left to fill in: ONE_INSTANCE % VALID.
ONE_INSTANCE = json.dumps({"instances": [["<value>", *SAMPLES[0][1:]]]}).replace('"<value>"', "%s")
{%- else %}
FIRST = next(iter(SAMPLES[0]))  # the first column
VALID = json.dumps(SAMPLES[0][FIRST])  # a value it accepts
# One instance, with the first value left to fill in: ONE_INSTANCE % VALID.
ONE_INSTANCE = (
    json.dumps({"instances": [{**SAMPLES[0], FIRST: "<value>"}]})
    .replace("%", "%%")
    .replace('"<value>"', "%s")
)
{%- endif %}
{%- else %}
FIRST = "sepal_length"
VALID = "5.1"
# One flower, with the first measurement left to fill in: ONE_INSTANCE % VALID.
ONE_INSTANCE = (
    '{"instances": [{"sepal_length": %s, "sepal_width": 3.5, '
    '"petal_length": 1.4, "petal_width": 0.2}]}'
)
{%- endif %}


def strict_json(content: bytes) -> Any:
    """Parse as JSON proper: Python's json module would accept NaN and Infinity."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(content, parse_constant=refuse)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client that shows a server error as a 500 response, not as an exception."""
    with TestClient(app, raise_server_exceptions=False{{ ', headers=KEY_HEADERS' if cookiecutter.auth == 'api_key' else '' }}) as client:
        yield client


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_number_that_is_not_finite_gets_422_naming_the_field(
    client: TestClient, value: str
) -> None:
    response = client.post("/predict", content=(ONE_INSTANCE % value).encode(), headers=JSON)

    assert response.status_code == 422
    [error] = strict_json(response.content)["detail"]
    assert error["loc"] == ["body", "instances", 0, FIRST]


@pytest.mark.parametrize(
    "body",
    [ONE_INSTANCE % '"\\ud800"', '{"\\ud800": 1}'],
    ids=["in-a-value", "in-a-key"],
)
def test_a_lone_surrogate_gets_422(client: TestClient, body: str) -> None:
    response = client.post("/predict", content=body.encode(), headers=JSON)

    assert response.status_code == 422
    assert strict_json(response.content)["detail"]


def test_a_body_that_is_not_utf8_is_refused_with_a_reason(client: TestClient) -> None:
    body = (ONE_INSTANCE % VALID).encode().replace(b"instances", b"instances\xff")

    response = client.post("/predict", content=body, headers=JSON)

    assert response.status_code == 422
    [error] = strict_json(response.content)["detail"]
    assert error["type"] == "json_invalid"
    assert "UTF-8" in error["msg"]


def test_a_latin1_body_is_refused_with_a_reason(client: TestClient) -> None:
    body = '{"instances": [{"sepal_length": 5.1, "espèce": "setosa"}]}'.encode("latin-1")

    response = client.post(
        "/predict", content=body, headers={"content-type": "application/json; charset=latin-1"}
    )

    assert response.status_code == 422
    assert "UTF-8" in strict_json(response.content)["detail"][0]["msg"]


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_as_text_get_a_4xx(client: TestClient, seed: int) -> None:
    body = random.Random(seed).randbytes(256)

    response = client.post("/predict", content=body, headers={"content-type": "text/plain"})

    assert 400 <= response.status_code < 500
    assert strict_json(response.content)["detail"]


def test_a_body_that_is_not_json_gets_422(client: TestClient) -> None:
    response = client.post("/predict", content=b"sepal_length=5.1", headers=JSON)

    assert response.status_code == 422
    assert strict_json(response.content)["detail"][0]["type"] == "json_invalid"


def test_a_body_over_the_limit_gets_413(make_client: Callable[..., TestClient]) -> None:
    body = (ONE_INSTANCE % VALID).encode()
    client = make_client(max_request_bytes=len(body))

    small = client.post("/predict", content=body, headers=JSON)
    large = client.post("/predict", content=body + b" ", headers=JSON)

    assert small.status_code == 200
    assert large.status_code == 413


def test_a_chunked_body_over_the_limit_gets_413(make_client: Callable[..., TestClient]) -> None:
    body = (ONE_INSTANCE % VALID).encode()
    client = make_client(max_request_bytes=3 * len(body))

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield body

    response = client.post("/predict", content=chunks(), headers=JSON)

    assert response.status_code == 413
