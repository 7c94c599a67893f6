"""Helpers of the template tests: run a command for real, make a virtualenv."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent  # ruff, hadolint, poetry, cookiecutter of the test env


def run(args: list[str | Path], cwd: Path, timeout: float = 900) -> str:
    """Run a command; fail the test with its output when it fails."""
    process = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if process.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {process.returncode}\n"
            f"{process.stdout[-4000:]}\n{process.stderr[-4000:]}"
        )
    return process.stdout


def make_venv(path: Path) -> Path:
    venv.create(path, with_pip=True)
    return path / "bin" / "python"
