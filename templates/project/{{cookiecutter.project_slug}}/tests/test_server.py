{%- set m = cookiecutter._model -%}
"""The real server: ``python -m app`` on a free port, called over HTTP and over raw sockets."""

{% if m -%}
import json
{% endif -%}
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.schemas import {{ 'SAMPLES' if m else 'SETOSA' }}
{%- if cookiecutter.auth == 'api_key' %}
from tests.conftest import API_KEY, KEY_HEADERS
{%- endif %}

{% if cookiecutter.auth == 'api_key' -%}
http = httpx.Client(headers=KEY_HEADERS)  # every request below sends the tests' API key
{%- else -%}
http = httpx.Client()  # the client of every request below
{%- endif %}
PREFIX = "{{ cookiecutter.env_prefix }}"
MAX_CONCURRENCY = 2
BODY_TIMEOUT_S = 2  # longer than the 1 s a prediction may take below
{%- if m %}
# An instance whose first value is NaN, which Python's json writes and JSON does not allow.
{%- if m.get('arrays') %}
WITH_NAN = json.dumps({"instances": [[float("nan"), *SAMPLES[0][1:]]]})
{%- else %}
WITH_NAN = json.dumps({"instances": [{**SAMPLES[0], next(iter(SAMPLES[0])): float("nan")}]})
{%- endif %}
{%- else %}
FLOWER_WITH_NAN = (
    b'{"instances": [{"sepal_length": NaN, "sepal_width": 3.5, '
    b'"petal_length": 1.4, "petal_width": 0.2}]}'
)
{%- endif %}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(model_path: Path, log: Path) -> Iterator[str]:
    """``python -m app`` on a free port, writing its stderr to ``log``; yields its URL."""
    port = _free_port()
    env = {
        **os.environ,
        f"{PREFIX}HOST": "127.0.0.1",
        f"{PREFIX}PORT": str(port),
        f"{PREFIX}MODEL_PATH": str(model_path),
        f"{PREFIX}LOG_LEVEL": "warning",
        f"{PREFIX}MAX_CONCURRENCY": str(MAX_CONCURRENCY),
        f"{PREFIX}BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
{%- if cookiecutter.auth == 'api_key' %}
        f"{PREFIX}API_KEYS": API_KEY,
{%- endif %}
{%- if cookiecutter.model_framework == 'pytorch' %}
        f"{PREFIX}DEVICE": "auto",  # the GPU where there is one, so the tests run anywhere
{%- endif %}
    }
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "app"], env=env, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_ready(url: str, process: "subprocess.Popen[bytes]") -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"python -m app exited with code {process.returncode}")
        try:
            if http.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url}/readyz did not answer 200 within 30 s")


# One server per test, never two at once: a port the app listens on (a UDP listener's, say)
# can be bound only once.
@pytest.fixture
def server_url(model_path: Path, tmp_path: Path) -> Iterator[str]:
    with running_server(model_path, tmp_path / "stderr.log") as url:
        yield url


def test_server_answers_over_http(server_url: str) -> None:
    assert http.get(f"{server_url}/livez").status_code == 200
    response = http.post(f"{server_url}/predict", json={"instances": [{{ 'SAMPLES[0]' if m else 'SETOSA' }}]})

    assert response.status_code == 200
{%- if m %}
    assert len(response.json()["predictions"]) == 1
{%- else %}
    assert response.json()["predictions"][0]["label"] == "setosa"
{%- endif %}
    assert "swagger-ui" in http.get(f"{server_url}/docs").text
    assert "redoc" in http.get(f"{server_url}/redoc").text.lower()


def test_clients_that_stall_mid_body_neither_block_others_nor_stay_forever(
    server_url: str,
) -> None:
    host, port = server_url.removeprefix("http://").split(":")
    stalled = [socket.create_connection((host, int(port))) for _ in range(MAX_CONCURRENCY + 1)]
    try:
        for sock in stalled:  # promise 1000 bytes, send a few, then nothing
            sock.sendall(
                b"POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"instances": ['
            )

        started = time.monotonic()
        response = http.post(f"{server_url}/predict", json={"instances": [{{ 'SAMPLES[0]' if m else 'SETOSA' }}]}, timeout=5)
        elapsed = time.monotonic() - started

        assert response.status_code == 200
        assert elapsed < 1.0  # not held up until the stalled requests time out
        for sock in stalled:  # BODY_TIMEOUT_S after they began, the server gives up on them
            sock.settimeout(BODY_TIMEOUT_S + 5)
            assert sock.recv(1024).startswith(b"HTTP/1.1 408 ")
    finally:
        for sock in stalled:
            sock.close()


def test_bad_bodies_get_4xx_and_leave_no_traceback_in_the_log(
    model_path: Path, tmp_path: Path
) -> None:
    bodies = [  # (content type, body)
        ("application/json", {{ 'WITH_NAN.encode()' if m else 'FLOWER_WITH_NAN' }}),
        ("application/json", b'{"instances": ["\xff"]}'),
        ("application/json", b'{"\\ud800": 1}'),
        ("application/json; charset=latin-1", '{"instances": ["espèce"]}'.encode("latin-1")),
    ]
    log = tmp_path / "stderr.log"

    with running_server(model_path, log) as url:
        statuses = [
            http.post(f"{url}/predict", content=body, headers={"content-type": kind}).status_code
            for kind, body in bodies
        ]

    assert all(400 <= status < 500 for status in statuses), statuses
    assert "Traceback" not in log.read_text(errors="replace")
