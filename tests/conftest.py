"""Shared fixtures of the fastml test suite.

Keep fixtures here generic (useful to more than one test module); fixtures that only one
module needs belong in that module.

- ``isolated_home`` (autouse): HOME points into a temporary folder, so nothing a test runs
  (Cookiecutter writes replay files and reads ~/.cookiecutterrc) touches the real one.
- ``chdir_tmp``: run the test with ``tmp_path`` as the current directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest


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
