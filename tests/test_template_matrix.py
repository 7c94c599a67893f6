"""The template's options, rendered in combinations that use every value at least once.

Each combination goes through the validators a careful team would run on it (hadolint,
actionlint, kubernetes-validate, validate-pyproject, poetry check, bandit, ruff, mypy) and
its own tests.  Every combination is installed into the one virtualenv of its Python
version, shared with the others of that version (the default project's included), where
most of its dependencies already are; run from its own folder, its own ``app`` comes first
on sys.path.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from support import TOOLS, run

from fastml_scaffold import new_project
from fastml_scaffold.project import Project

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib
    tomllib = pytest.importorskip("tomli")

pytestmark = pytest.mark.template

COMBINATIONS = {
    "defaults": {},
    "py312-apache-gitlab-k8s": {
        "python_version": "3.12",
        "license": "Apache-2.0",
        "ci": "gitlab",
        "kubernetes": "yes",
        "metrics": "yes",
        "model_framework": "custom",
    },
    "py313-bsd-no-docker-no-ci": {
        "python_version": "3.13",
        "license": "BSD-3-Clause",
        "docker": "no",
        "ci": "none",
        "json_logging": "yes",
    },
    "py311-proprietary-github-k8s-api-key": {
        "python_version": "3.11",
        "license": "proprietary",
        "ci": "github",
        "kubernetes": "yes",
        "metrics": "yes",
        "json_logging": "yes",
        "auth": "api_key",
    },
    "onnx-github-k8s-metrics": {
        "model_framework": "onnx",
        "python_version": "3.12",
        "ci": "github",
        "kubernetes": "yes",
        "metrics": "yes",
    },
    "pytorch-cpu-gitlab": {
        "model_framework": "pytorch",
        "device": "cpu",
        "ci": "gitlab",
        "json_logging": "yes",
    },
    # PyTorch combinations keep the default Python: this machine holds torch's CPU build
    # for Python 3.11 only, and another Python would download its CUDA build.
    "pytorch-auto-no-docker": {
        "model_framework": "pytorch",
        "device": "auto",
        "docker": "no",
        "ci": "none",
        "metrics": "yes",
    },
    "pytorch-cuda-github-k8s": {
        "model_framework": "pytorch",
        "device": "cuda",
        "ci": "github",
        "kubernetes": "yes",
        "license": "BSD-3-Clause",
    },
}
# PyTorch combinations take a minute or more each (torch's install and mypy over its
# stubs): `pytest -m "not slow"` leaves them out of a quick run; `make test` and CI run them.
SLOW = {
    name for name, answers in COMBINATIONS.items() if answers.get("model_framework") == "pytorch"
}
# The one library that serves each framework's model (custom needs none).
SERVING_LIBRARY = {"sklearn": "scikit-learn", "onnx": "onnxruntime", "pytorch": "torch"}
# This machine holds a CPU build of this torch; a range would fetch the CUDA build from PyPI.
TORCH_CPU_BUILD = "torch==2.13.0"
LICENSE_HEADINGS = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "BSD 3-Clause License",
    "proprietary": "All rights reserved.",
}
MANIFESTS = ("configmap.yaml", "deployment.yaml", "service.yaml", "hpa.yaml")


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else [])
        for name in sorted(COMBINATIONS)
    ],
)
def combination(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = COMBINATIONS[request.param]
    output = tmp_path_factory.mktemp(request.param)
    return new_project("Iris Service", output_dir=output, answers=answers).project_dir


def _answers(project: Path) -> dict[str, str]:
    answers: dict[str, str] = Project.load(project).answers
    return answers


def test_files_follow_the_options(combination: Path) -> None:
    answers = _answers(combination)

    assert (combination / "Dockerfile").exists() == (answers["docker"] == "yes")
    assert (combination / ".github").exists() == (answers["ci"] == "github")
    assert (combination / ".gitlab-ci.yml").exists() == (answers["ci"] == "gitlab")
    assert (combination / "k8s").exists() == (answers["kubernetes"] == "yes")
    assert (combination / "app/metrics.py").exists() == (answers["metrics"] == "yes")
    assert (combination / "app/log.py").exists() == (answers["json_logging"] == "yes")
    assert (combination / "app/auth.py").exists() == (answers["auth"] == "api_key")
    assert (combination / "k8s/secret.yaml").exists() == (
        answers["kubernetes"] == "yes" and answers["auth"] == "api_key"
    )
    assert _runtime_libraries(combination) & set(SERVING_LIBRARY.values()) == (
        {SERVING_LIBRARY[answers["model_framework"]]}
        if answers["model_framework"] in SERVING_LIBRARY
        else set()
    )
    config = (combination / "app/config.py").read_text()
    assert ("device: Literal" in config) == (answers["model_framework"] == "pytorch")
    assert LICENSE_HEADINGS[answers["license"]] in (combination / "LICENSE").read_text()
    pyproject = tomllib.loads((combination / "pyproject.toml").read_text())
    version = answers["python_version"]
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"
    assert pyproject["tool"]["mypy"]["python_version"] == version
    if answers["docker"] == "yes":
        dockerfile = (combination / "Dockerfile").read_text()
        assert f"ARG PYTHON_VERSION={answers['python_version']}" in dockerfile
        assert f"/srv/models/{answers['model_file']}" in dockerfile
        assert ("ARG TORCH_INDEX_URL" in dockerfile) == (answers["model_framework"] == "pytorch")
        cuda_base = "ARG BASE_IMAGE=nvidia/cuda:" in dockerfile
        assert cuda_base == (answers["device"] == "cuda")
    if answers["kubernetes"] == "yes":
        deployment = (combination / "k8s/deployment.yaml").read_text()
        assert ("nvidia.com/gpu" in deployment) == (answers["device"] == "cuda")


def _runtime_libraries(project: Path) -> set[str]:
    """The distribution names the server itself depends on (extras left out)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return {
        re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0]
        for spec in pyproject["project"]["dependencies"]
    }


def test_validators_are_clean(combination: Path) -> None:
    answers = _answers(combination)

    run([TOOLS / "validate-pyproject", "pyproject.toml"], cwd=combination)
    run([TOOLS / "poetry", "check"], cwd=combination)
    run([TOOLS / "bandit", "--quiet", "--recursive", "app"], cwd=combination)
    if answers["docker"] == "yes":
        run([TOOLS / "hadolint", "--failure-threshold", "info", "Dockerfile"], cwd=combination)
    if answers["ci"] == "github":
        run([TOOLS / "actionlint", ".github/workflows/ci.yml"], cwd=combination)
    if answers["ci"] == "gitlab":
        pipeline = yaml.safe_load((combination / ".gitlab-ci.yml").read_text())
        assert {"stages", "test"} <= set(pipeline)
    if answers["kubernetes"] == "yes":
        names = [*MANIFESTS, *(["secret.yaml"] if answers["auth"] == "api_key" else [])]
        manifests = [f"k8s/{name}" for name in names]
        run([TOOLS / "kubernetes-validate", "--strict", *manifests], cwd=combination)
        kustomization = yaml.safe_load((combination / "k8s/kustomization.yaml").read_text())
        assert sorted(kustomization["resources"]) == sorted(names)


def test_installs_lints_clean_and_passes_its_own_tests(
    combination: Path, python_for: Callable[[str], Path]
) -> None:
    answers = _answers(combination)
    project_python = python_for(answers["python_version"])
    bindir = project_python.parent
    if answers["model_framework"] == "pytorch":
        # As the project's README says: the CPU build of torch first, then the project.
        run([project_python, "-m", "pip", "install", "--quiet", TORCH_CPU_BUILD], cwd=combination)
    run([project_python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=combination)

    run([bindir / "ruff", "check", "--no-cache", "."], cwd=combination)
    run([bindir / "ruff", "format", "--check", "--no-cache", "."], cwd=combination)
    run([bindir / "mypy", "--cache-dir", os.devnull, "app", "tests"], cwd=combination)
    output = run([project_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], combination)
    assert "failed" not in output
