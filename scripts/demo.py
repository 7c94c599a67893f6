"""`make demo`: generate a project with fastml, then show it working end to end.

Generates "Iris Service" into build/demo, installs it into its own virtualenv, trains the
model, runs the project's tests, starts the server and calls it over HTTP.  Standard
library only, so it runs with nothing but the Python that made .venv.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "build" / "demo"
PROJECT = DEMO / "iris-service"
FLOWERS = {
    "instances": [
        {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
        {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3},
    ]
}


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def run(*args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None) -> None:
    print("$", " ".join(str(arg) for arg in args), flush=True)
    subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(method: str, url: str, body: object | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def serve_and_call(python: Path) -> None:
    port = free_port()
    env = {**os.environ, "IRIS_SERVICE_HOST": "127.0.0.1", "IRIS_SERVICE_PORT": str(port)}
    print(f"$ python -m app   (on http://127.0.0.1:{port})", flush=True)
    server = subprocess.Popen([str(python), "-m", "app"], cwd=PROJECT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, server)
        for method, path, body in [
            ("GET", "/livez", None),
            ("GET", "/readyz", None),
            ("POST", "/predict", FLOWERS),
            ("GET", "/docs", None),
            ("GET", "/redoc", None),
        ]:
            status, text = call(method, base + path, body)
            shown = text if path not in ("/docs", "/redoc") else f"<{len(text)} bytes of HTML>"
            print(f"{method} {path} -> {status} {shown}", flush=True)
            if status != 200:
                raise SystemExit(f"demo failed: {method} {path} answered {status}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_until_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"demo failed: the server exited with code {server.returncode}")
        try:
            if call("GET", base + "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("demo failed: the server was not ready within 30 s")


def main() -> None:
    fastml = Path(sys.executable).parent / "fastml"
    step('Generate the project: fastml new "Iris Service"')
    shutil.rmtree(DEMO, ignore_errors=True)
    run(fastml, "new", "Iris Service", "--no-input", "--output-dir", DEMO)

    step("Install it into its own virtualenv")
    run(sys.executable, "-m", "venv", PROJECT / ".venv")
    python = PROJECT / ".venv" / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "-e", ".[dev]", cwd=PROJECT)

    step("Train the model on the iris data scikit-learn ships")
    run(python, "-m", "app.train", cwd=PROJECT)

    step("Run the project's own tests")
    run(python, "-m", "pytest", "-q", cwd=PROJECT)

    step("Serve it and call it over HTTP")
    serve_and_call(python)

    print(f"\nDone. The project is in {PROJECT.relative_to(REPO)}; see its README.md.")


if __name__ == "__main__":
    main()
