"""The default project's Dockerfile, built and run for real with buildah.

No Docker engine runs here and no base image can be pulled, so the test makes the base
image the Dockerfile names (python:<version>-slim) with debootstrap, once; buildah keeps
it for later runs.  Then it builds the generated project's image, runs it as its non-root
user and calls /readyz and POST /predict over loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fastml_scaffold import new_project
from fastml_scaffold.models import import_model

pytestmark = [pytest.mark.template, pytest.mark.container]

PYTHON_VERSION = "3.11"
BASE_IMAGE = f"docker.io/library/python:{PYTHON_VERSION}-slim"
ENV = {**os.environ, "STORAGE_DRIVER": "vfs", "BUILDAH_ISOLATION": "chroot"}
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def _tools_or_skip() -> None:
    missing = [tool for tool in ("buildah", "debootstrap") if shutil.which(tool) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"{', '.join(missing)} missing: .ci/run installs them")
    if missing:
        pytest.skip(f"needs {', '.join(missing)}: run scripts/install-container-tools.sh")
    if os.geteuid() != 0:
        pytest.skip("buildah with the vfs driver and chroot isolation needs root here")


def buildah(*args: str | Path, cwd: Path | None = None, timeout: float = 1200) -> str:
    process = subprocess.run(
        ["buildah", *map(str, args)],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if process.returncode != 0:
        pytest.fail(f"buildah {' '.join(map(str, args))}:\n{process.stderr[-4000:]}")
    return process.stdout


def _has_image(name: str) -> bool:
    listing = buildah("images", "--format", "{{.Name}}:{{.Tag}}")
    return name in listing.split()


@pytest.fixture(scope="session")
def base_image(tmp_path_factory: pytest.TempPathFactory) -> str:
    """python:3.11-slim, made from Debian bookworm with debootstrap (kept by buildah)."""
    _tools_or_skip()
    if _has_image(BASE_IMAGE):
        return BASE_IMAGE
    root = tmp_path_factory.mktemp("rootfs")
    packages = "python3,python3-venv,python3-pip,passwd,ca-certificates,curl"
    subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={packages}", "bookworm", str(root)],
        check=True,
        capture_output=True,
        timeout=1200,
    )
    for marker in root.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
        marker.unlink()
    (root / "usr/local/bin/python").symlink_to("/usr/bin/python3")
    # This network reaches PyPI through a TLS proxy: trust what the host trusts.
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", root / "etc/ssl/certs/")
    if Path("/etc/pip.conf").is_file():
        shutil.copy("/etc/pip.conf", root / "etc/pip.conf")
    container = buildah("from", "scratch").strip()
    buildah("copy", container, root, "/")
    buildah(
        "config",
        "--env",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        container,
    )
    buildah("commit", container, BASE_IMAGE)
    buildah("rm", container)
    return BASE_IMAGE


@pytest.fixture(scope="session")
def image(base_image: str, project: Path) -> str:
    return _build(project, "localhost/fastml-container-test:latest")


def _build(project: Path, tag: str) -> str:
    buildah(
        "bud",
        "--pull=never",
        "--network",
        "host",
        "--build-arg",
        f"PYTHON_VERSION={PYTHON_VERSION}",
        "-t",
        tag,
        ".",
        cwd=project,
    )
    return tag


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _running(image: str, env_prefix: str) -> Iterator[str]:
    """A container of ``image`` serving on a free port of this host, until it is ready."""
    container = buildah("from", "--pull=never", image).strip()
    port = _free_port()
    process = subprocess.Popen(
        [
            "buildah",
            "run",
            "--network",
            "host",
            "--env",
            f"{env_prefix}PORT={port}",
            container,
            "--",
            "python",
            "-m",
            "app",
        ],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the container was not ready within 60 s")
        yield url
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
        buildah("rm", container)


@pytest.fixture
def served(image: str) -> Iterator[str]:
    with _running(image, "IRIS_SERVICE_") as url:
        yield url


def _predict(url: str, instances: list[Any]) -> Any:
    body = json.dumps({"instances": instances}).encode()
    request = urllib.request.Request(
        f"{url}/predict", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_image_runs_as_a_non_root_user(image: str) -> None:
    config = json.loads(buildah("inspect", "--type", "image", image))

    assert config["OCIv1"]["config"]["User"] == "10001:10001"
    assert config["OCIv1"]["config"]["Cmd"] == ["python", "-m", "app"]


def test_container_serves_predictions(served: str) -> None:
    answer = _predict(served, [SETOSA])

    assert answer["predictions"][0]["label"] == "setosa"


@pytest.mark.slow
def test_container_serves_a_model_of_the_user_s_own(
    base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An MLflow model as MLflow 3 saves it (skops), copied into the image from models/."""
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn")
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = load_breast_cancer(as_frame=True).data
    y = load_breast_cancer().target
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x, y)
    folder = tmp_path_factory.mktemp("mlflow") / "cancer"
    mlflow_sklearn.save_model(model, folder, input_example=x[:2])
    output = tmp_path_factory.mktemp("imported")
    project = new_project("Cancer", output_dir=output, model=import_model(folder)).project_dir
    tag = _build(project, "localhost/fastml-container-test-model:latest")

    with _running(tag, "CANCER_") as url:
        answer = _predict(url, x[500:505].to_dict(orient="records"))

    labels = [p["label"] for p in answer["predictions"]]
    assert labels == [str(label) for label in model.predict(x[500:505])]
