"""Helpers of the template tests: run a command for real, make a virtualenv."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

REPO = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent  # ruff, hadolint, poetry, cookiecutter of the test env


def run(
    args: list[str | Path],
    cwd: Path,
    timeout: float = 900,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run a command (in ``env``, by default this process's); fail the test with its
    output when it fails."""
    process = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**(os.environ if env is None else env), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if process.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {process.returncode}\n"
            f"{process.stdout[-4000:]}\n{process.stderr[-4000:]}"
        )
    return process.stdout


def make_venv(path: Path, interpreter: str | Path = sys.executable) -> Path:
    """A virtualenv of ``interpreter`` (this one by default) at ``path``; its python."""
    subprocess.run([str(interpreter), "-m", "venv", str(path)], check=True)
    return path / "bin" / "python"


def find_python(version: str) -> Path | None:
    """An interpreter of Python ``version`` ("3.12"): this one, one on PATH, or pyenv's."""
    if version == f"{sys.version_info.major}.{sys.version_info.minor}":
        return Path(sys.executable)
    candidates = [shutil.which(f"python{version}")]
    for root in _pyenv_roots():
        # pyenv's shims on PATH answer only for the versions made global: look behind them.
        installed = sorted(root.glob(f"versions/{version}.*/bin/python{version}"))
        candidates += reversed(installed)  # the newest patch release first
    for candidate in candidates:
        if candidate and _runs(candidate):
            return Path(candidate)
    return None


def _pyenv_roots() -> list[Path]:
    roots = [os.environ.get("PYENV_ROOT"), str(Path(pwd.getpwuid(os.getuid()).pw_dir, ".pyenv"))]
    pyenv = shutil.which("pyenv")
    if pyenv:
        roots.append(str(Path(pyenv).resolve().parent.parent))
    return [Path(root) for root in dict.fromkeys(roots) if root and Path(root).is_dir()]


def _runs(interpreter: str | Path) -> bool:
    return subprocess.run([str(interpreter), "-c", "pass"], capture_output=True).returncode == 0


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes: compare two to prove nothing was written."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def edit_record(root: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Edit the project's .fastml.json as a hand would: ``change`` mutates the record (or
    returns the one to write)."""
    path = root / ".fastml.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(record) or record), encoding="utf-8")


def assert_one_error_line(result: Result, code: int = 1) -> None:
    """Exit ``code``, nothing on stdout, and one line on stderr that starts with error:."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(
    project: Path,
    python: Path,
    log: Path,
    *,
    until: str = "/readyz",
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """``python -m app`` in a generated project, on a free port, with ``env`` added to the
    settings; yields its URL once ``until`` answers 200 (60 s at most), stops it after."""
    from fastml_scaffold.project import Project

    prefix = Project.load(project).env_prefix
    port = _free_port()
    settings = {f"{prefix}HOST": "127.0.0.1", f"{prefix}PORT": str(port), **(env or {})}
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [python, "-m", "app"], cwd=project, env={**os.environ, **settings}, stderr=stderr
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}{until}", timeout=2)
                break
            except OSError:  # refused, or 503 (an HTTPError) while it starts
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.communicate(timeout=30)
