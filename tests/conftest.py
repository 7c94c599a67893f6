"""Shared fixtures of the fastml test suite.

Keep fixtures here generic (useful to more than one test module); fixtures that only one
module needs belong in that module.

- ``isolated_home`` (autouse): HOME points into a temporary folder, so nothing a test runs
  (Cookiecutter writes replay files and reads ~/.cookiecutterrc) touches the real one.
- ``chdir_tmp``: run the test with ``tmp_path`` as the current directory.
- ``python_for`` (session): a virtualenv of a given Python version, one per version.
- ``old`` and ``edited``: a project fastml 0.1.0 made (with endpoints), committed to git;
  and the same with its owner's edits committed (``old_projects``), for fastml update.
- ``project`` and ``project_python`` (session): the default generated project, and a
  virtualenv of its Python with it installed.  Other generated projects named "Iris
  Service" of that Python run in that virtualenv too: run from their own folder, their
  ``app`` comes first on sys.path.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from old_projects import commit, committed, edit_as_owner, made_by_0_1_0
from support import find_python, make_venv, run

from fastml_scaffold import new_project
from fastml_scaffold.project import Project


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
def python_for(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A virtualenv of Python ``version`` ("3.12"), made once per version, shared."""
    made: dict[str, Path] = {}

    def python_for(version: str) -> Path:
        if version not in made:
            folder = tmp_path_factory.mktemp(f"python{version}") / "venv"
            interpreter = find_python(version)
            if interpreter is not None:
                made[version] = make_venv(folder, interpreter)
            else:
                # Still install and test the project, on this Python, rather than skip it.
                warnings.warn(f"No Python {version} here: testing on this Python", stacklevel=1)
                made[version] = make_venv(folder)
                (folder / "pip.conf").write_text("[install]\nignore-requires-python = true\n")
        return made[version]

    return python_for


@pytest.fixture(scope="session")
def project_python(project: Path, python_for: Callable[[str], Path]) -> Path:
    """A virtualenv of the project's Python with it installed, editable, with its dev extra."""
    python = python_for(Project.load(project).answers["python_version"])
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


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """old-service as fastml 0.1.0 made it, endpoints and all, committed to git."""
    return committed(made_by_0_1_0("old-service", tmp_path))


@pytest.fixture
def edited(old: Path) -> Path:
    """old-service with its owner's edits of the usual kinds, committed."""
    edit_as_owner(old)
    commit(old)
    return old
