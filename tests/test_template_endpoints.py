"""Template tests of add-endpoint: a project that `fastml new` made, with endpoints of every
kind added, passes its own tests and lint, documents the new paths, and serves them for real.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import run

from fastml_scaffold import new_project
from fastml_scaffold.commands.add_endpoint import add_endpoint

pytestmark = pytest.mark.template

PREFIX = "IRIS_SERVICE_"
NEW_PATHS = {
    "/score",
    "/lookup",
    "/settings-doc",
    "/models/{model_id}/tune",
    "/purge",
    "/items",
    "/items/{item_id}",
}


def _free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def udp_port() -> int:
    return _free_port(socket.SOCK_DGRAM)


@pytest.fixture(scope="session")
def endpoints_project(tmp_path_factory: pytest.TempPathFactory, udp_port: int) -> Path:
    """ "Iris Service" with a route of each method, a REST resource and a UDP listener."""
    root = new_project("Iris Service", output_dir=tmp_path_factory.mktemp("endpoints")).project_dir
    add_endpoint("score", project=root)
    add_endpoint("lookup", method="GET", project=root)
    add_endpoint("settings doc", method="PUT", project=root)
    add_endpoint("tune", method="PATCH", path="/models/{model_id}/tune", project=root)
    add_endpoint("purge", method="DELETE", project=root)
    add_endpoint("items", crud=True, project=root)
    add_endpoint("telemetry", udp=True, port=udp_port, project=root)
    return root


def test_project_with_endpoints_passes_its_own_tests(
    endpoints_project: Path, project_python: Path
) -> None:
    output = run(
        [project_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], endpoints_project
    )

    assert "failed" not in output
    for module in ("score", "lookup", "settings_doc", "tune", "purge", "items", "telemetry"):
        assert (endpoints_project / "tests" / f"test_{module}.py").is_file()


def test_project_with_endpoints_lint_is_clean(
    endpoints_project: Path, project_python: Path
) -> None:
    bindir = project_python.parent

    run([bindir / "ruff", "check", "--no-cache", "."], cwd=endpoints_project)
    run([bindir / "ruff", "format", "--check", "--no-cache", "."], cwd=endpoints_project)
    run([bindir / "mypy", "--cache-dir", os.devnull, "app", "tests"], cwd=endpoints_project)


def test_openapi_lists_the_new_paths(endpoints_project: Path, project_python: Path) -> None:
    script = (
        "import json; from app.main import app; print(json.dumps(sorted(app.openapi()['paths'])))"
    )

    paths = set(json.loads(run([project_python, "-c", script], cwd=endpoints_project)))

    assert paths >= NEW_PATHS | {"/predict", "/livez", "/readyz"}


@pytest.fixture
def server(
    endpoints_project: Path, project_python: Path, udp_port: int, tmp_path: Path
) -> Iterator[str]:
    """`python -m app` of the project with endpoints, on free ports."""
    model = tmp_path / "model.joblib"
    run([project_python, "-m", "app.train", "--output", model], cwd=endpoints_project)
    port = _free_port(socket.SOCK_STREAM)
    env = {
        **os.environ,
        f"{PREFIX}HOST": "127.0.0.1",
        f"{PREFIX}PORT": str(port),
        f"{PREFIX}MODEL_PATH": str(model),
        f"{PREFIX}TELEMETRY_HOST": "127.0.0.1",
        f"{PREFIX}TELEMETRY_PORT": str(udp_port),
    }
    process = subprocess.Popen([str(project_python), "-m", "app"], cwd=endpoints_project, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if _call("GET", f"{base}/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("the server was not ready within 30 s")


def _call(method: str, url: str, body: object | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_real_server_answers_the_new_endpoints(server: str) -> None:
    assert _call("POST", f"{server}/score", {"text": "hi"}) == (201, b'{"text":"hi","length":2}')
    assert _call("GET", f"{server}/lookup?text=hey")[0] == 200
    assert _call("PUT", f"{server}/settings-doc", {"text": "x"})[0] == 200
    assert _call("PATCH", f"{server}/models/7/tune", {"text": "x"})[0] == 200
    assert _call("DELETE", f"{server}/purge") == (204, b"")
    status, created = _call("POST", f"{server}/items", {"name": "first"})
    assert status == 201
    item_id = json.loads(created)["id"]
    assert _call("GET", f"{server}/items/{item_id}")[0] == 200
    assert _call("POST", f"{server}/items", {"name": "first"})[0] == 409
    assert _call("DELETE", f"{server}/items/{item_id}")[0] == 204
    assert _call("GET", f"{server}/items/{item_id}")[0] == 404


def test_real_server_handles_a_udp_datagram(server: str, udp_port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(b"reading=42", ("127.0.0.1", udp_port))
        reply, _ = sock.recvfrom(1024)

    assert reply == b"ack:reading=42"
