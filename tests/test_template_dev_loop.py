"""The generated project's developer loop, as its README tells a new user to run it:
`make install` then `make test` with nothing activated, and uv instead of pip."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from support import TOOLS, run

from fastml_scaffold import new_project

pytestmark = pytest.mark.template


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A default project of this test's own, outside any virtualenv."""
    return new_project("Loop Service", output_dir=tmp_path).project_dir


def _without_virtualenv() -> dict[str, str]:
    """The environment of a shell where no virtualenv is active."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    return env


@pytest.mark.slow
def test_make_install_then_make_test_needs_nothing_activated(fresh: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("no make here")
    env = _without_virtualenv()

    run(["make", "install", f"PYTHON={sys.executable}"], cwd=fresh, env=env)
    run(["make", "train"], cwd=fresh, env=env)
    run(["make", "test"], cwd=fresh, env=env)

    assert (fresh / ".venv" / "bin" / "python").exists()
    assert (fresh / "models" / "model.joblib").exists()


@pytest.mark.slow
def test_uv_sync_and_uv_run_pytest_work(fresh: Path) -> None:
    uv = shutil.which("uv") or (TOOLS / "uv" if (TOOLS / "uv").exists() else None)
    if uv is None:
        pytest.skip("no uv here (pip install uv)")
    # The system's certificates: this network reaches PyPI through a TLS proxy.
    env = {**_without_virtualenv(), "UV_NATIVE_TLS": "1"}

    run([uv, "sync", "--extra", "dev", "--quiet"], cwd=fresh, env=env)
    run([uv, "run", "pytest", "-q", "-p", "no:randomly"], cwd=fresh, env=env)

    assert (fresh / "uv.lock").exists()
