"""``python -m app``: its options, over the settings."""

import subprocess
import sys

import pytest

from app import __version__
from app.__main__ import parse_args


def test_help_lists_the_server_options() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "app", "--help"], capture_output=True, text=True, timeout=60
    )

    assert process.returncode == 0
    for option in ("--host", "--port", "--workers", "--reload", "--version"):
        assert option in process.stdout


def test_version_is_the_project_s(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"python -m app {__version__}"


def test_options_are_read_as_the_settings_types() -> None:
    args = parse_args(["--port", "9000", "--workers", "2", "--reload"])

    assert (args.port, args.workers, args.reload, args.host) == (9000, 2, True, None)
