"""Shared fixtures of the fastml test suite.

Keep fixtures here generic (useful to more than one test module); fixtures that only one
module needs belong in that module.

- ``isolated_home`` (autouse): HOME points into a temporary folder, so nothing a test runs
  (Cookiecutter writes replay files and reads ~/.cookiecutterrc) touches the real one.
- ``chdir_tmp``: run the test with ``tmp_path`` as the current directory.
- ``project`` and ``project_python`` (session): the default generated project, and a
  virtualenv with it installed.  Other generated projects named "Iris Service" run in
  that virtualenv too: run from their own folder, their ``app`` comes first on sys.path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import make_venv, run

from fastml_scaffold import new_project


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME at an empty temporary folder for the duration of one test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def chdir_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make ``tmp_path`` the current directory for the duration of one test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, as `fastml new "Iris Service" --no-input` makes it."""
    result = new_project("Iris Service", output_dir=tmp_path_factory.mktemp("render"))
    return result.project_dir


@pytest.fixture(scope="session")
def project_python(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the generated project installed, editable, with its dev extra."""
    python = make_venv(tmp_path_factory.mktemp("project-venv") / "venv")
    run([python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=project)
    return python


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, rendered once for the endpoint tests; they copy it, never change it."""
    return new_project("Iris Service", output_dir=tmp_path_factory.mktemp("rendered")).project_dir


@pytest.fixture
def root(rendered: Path, tmp_path: Path) -> Path:
    """A copy of the rendered project of this test's own."""
    return Path(shutil.copytree(rendered, tmp_path / "iris-service"))
