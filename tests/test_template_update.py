"""A project made by fastml 0.1.0 and edited by its owner, updated to the current template:
once its conflicts are resolved it installs, passes its own tests and lint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support import run
from test_update import _resolve, commit, edited, old, update  # noqa: F401  (fixtures)

from fastml_scaffold import versions
from fastml_scaffold.project import Project

pytestmark = pytest.mark.template


def test_an_updated_project_installs_passes_its_tests_and_lint(
    edited: Path,  # noqa: F811
    python_for: Callable[[str], Path],
) -> None:
    update(edited)
    _resolve(edited)
    commit(edited, "resolved")
    assert update(edited).exit_code == 0
    assert Project.load(edited).template_version == versions.CURRENT

    python = python_for("3.11")
    run([python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=edited)
    run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"], cwd=edited)
    run([python.parent / "ruff", "check", "--no-cache", "."], cwd=edited)
    run([python.parent / "ruff", "format", "--check", "--no-cache", "."], cwd=edited)
    run([python.parent / "mypy", "--no-incremental", "app"], cwd=edited)
