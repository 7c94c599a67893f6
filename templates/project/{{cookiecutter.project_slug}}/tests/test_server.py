"""The real server: ``python -m app`` on a free port, called over HTTP."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.schemas import SETOSA

PREFIX = "{{ cookiecutter.env_prefix }}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server_url(model_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        f"{PREFIX}HOST": "127.0.0.1",
        f"{PREFIX}PORT": str(port),
        f"{PREFIX}MODEL_PATH": str(model_path),
        f"{PREFIX}LOG_LEVEL": "warning",
{%- if cookiecutter.model_framework == 'pytorch' %}
        f"{PREFIX}DEVICE": "auto",  # the GPU where there is one, so the tests run anywhere
{%- endif %}
    }
    process = subprocess.Popen([sys.executable, "-m", "app"], env=env)
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
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url}/readyz did not answer 200 within 30 s")


def test_server_answers_over_http(server_url: str) -> None:
    assert httpx.get(f"{server_url}/livez").status_code == 200
    response = httpx.post(f"{server_url}/predict", json={"instances": [SETOSA]})

    assert response.status_code == 200
    assert response.json()["predictions"][0]["label"] == "setosa"
    assert httpx.get(f"{server_url}/docs").status_code == 200
