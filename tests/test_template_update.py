"""Projects made by fastml 0.1.0, with endpoints from its add-endpoint and their owners'
edits, updated to the current template: once their conflicts are resolved they install,
pass their own tests and lint, and serve every endpoint."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from old_projects import commit, committed, made_by_0_1_0, resolve, update
from support import run, running_app

from fastml_scaffold import versions
from fastml_scaffold.project import Project

pytestmark = pytest.mark.template


def _install_test_and_lint(root: Path, python: Path) -> None:
    run([python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=root)
    run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"], cwd=root)
    run([python.parent / "ruff", "check", "--no-cache", "."], cwd=root)
    run([python.parent / "ruff", "format", "--check", "--no-cache", "."], cwd=root)
    run([python.parent / "mypy", "--no-incremental", "app"], cwd=root)
    run([python, "-m", "app.train"], cwd=root)


def _call(url: str, method: str = "GET", body: object = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
        return response.status, json.loads(text) if text else None


def test_an_edited_project_with_endpoints_updates_installs_and_serves(
    edited: Path, python_for: Callable[[str], Path]
) -> None:
    assert update(edited).exit_code == 1  # conflicts: README, pyproject.toml, app/main.py
    resolve(edited)
    commit(edited, "resolved")
    assert update(edited).exit_code == 0
    assert Project.load(edited).template_version == versions.CURRENT

    python = python_for("3.11")
    _install_test_and_lint(edited, python)
    flower = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    with running_app(edited, python, edited.parent / "server.log") as url:
        assert _call(f"{url}/predict", "POST", {"instances": [flower]})[0] == 200
        assert _call(f"{url}/score", "POST", {"text": " hi "}) == (201, {"text": "hi", "length": 2})
        assert _call(f"{url}/stats?text=hi")[0] == 200
        assert _call(f"{url}/items", "POST", {"name": "one"})[0] == 201
        assert _call(f"{url}/hello") == (200, {"hello": "world"})  # the owner's own router


def test_a_project_with_every_option_updates_cleanly_and_serves(
    tmp_path: Path, python_for: Callable[[str], Path]
) -> None:
    root = committed(made_by_0_1_0("full-service", tmp_path))

    result = update(root)

    assert result.exit_code == 0, result.output
    python = python_for("3.12")
    _install_test_and_lint(root, python)
    with running_app(root, python, tmp_path / "server.log") as url:
        assert _call(f"{url}/explain-prediction", "PUT", {"text": "x"})[0] == 200
        assert _call(f"{url}/feedback")[0] == 200
        assert b"http_requests" in urllib.request.urlopen(f"{url}/metrics").read()
