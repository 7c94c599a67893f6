"""The fastml command line: options, output, exit codes; in-process and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import assert_one_error_line
from typer.testing import CliRunner, Result

from fastml_scaffold import __version__
from fastml_scaffold.answers import ANSWERS_FILE
from fastml_scaffold.cli import app


@pytest.fixture
def runner() -> CliRunner:
    # Typer's runner (like Click >= 8.2's) keeps stderr apart in result.stderr;
    # result.output holds stdout and stderr interleaved.
    return CliRunner()


def invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin, prog_name="fastml")


# Version and help


def test_version_prints_name_and_version(runner: CliRunner) -> None:
    result = invoke(runner, "--version")

    assert result.exit_code == 0
    assert result.stdout == f"fastml {__version__}\n"
    assert __version__ == "0.1.0"


def test_help_lists_the_new_command(runner: CliRunner) -> None:
    result = invoke(runner, "--help")

    assert result.exit_code == 0
    assert "new" in result.stdout
    assert "Create a FastAPI serving project" in result.stdout


def test_no_arguments_shows_the_help(runner: CliRunner) -> None:
    result = invoke(runner)

    assert "Usage" in result.output
    assert "new" in result.output


def test_new_help_shows_the_options_and_an_example(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # help wraps to the terminal's width

    result = invoke(runner, "new", "--help")

    assert result.exit_code == 0
    for option in ("--output-dir", "-o", "--no-input", "--force", "--dry-run", "--config-file"):
        assert option in result.stdout
    assert "--set" in result.stdout
    assert 'fastml new "Iris Service" --no-input' in result.stdout


# fastml new


def test_new_creates_the_project(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "new", "Iris Service", "--no-input", "-o", str(tmp_path))

    assert result.exit_code == 0, result.output
    project = tmp_path / "iris-service"
    assert (project / "pyproject.toml").is_file()
    assert (project / "app" / "main.py").is_file()
    assert "Created" in result.stdout
    assert "Next steps" in result.stdout
    assert result.stderr == ""


def test_new_with_relative_output_dir_uses_the_current_folder(
    runner: CliRunner, chdir_tmp: Path
) -> None:
    result = invoke(runner, "new", "Iris Service", "--no-input", "--output-dir", "out")

    assert result.exit_code == 0, result.output
    assert (chdir_tmp / "out" / "iris-service" / ANSWERS_FILE).is_file()
    assert "cd out/iris-service" in result.stdout


def test_new_defaults_to_the_current_folder(runner: CliRunner, chdir_tmp: Path) -> None:
    result = invoke(runner, "new", "Iris Service", "--no-input")

    assert result.exit_code == 0, result.output
    assert (chdir_tmp / "iris-service" / ANSWERS_FILE).is_file()


def test_set_options_reach_the_project(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(
        runner,
        "new",
        "Iris Service",
        "--no-input",
        "-o",
        str(tmp_path),
        "--set",
        "author_name=Ada Lovelace",
        "--set",
        "python_version=3.12",
    )

    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "iris-service" / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert record["answers"]["author_name"] == "Ada Lovelace"
    assert record["answers"]["python_version"] == "3.12"


def test_config_file_option_reaches_the_project(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "answers.yaml"
    config.write_text("author_name: From File\n", encoding="utf-8")
    output_dir = tmp_path / "out"

    result = invoke(
        runner,
        "new",
        "Iris Service",
        "--no-input",
        "-o",
        str(output_dir),
        "--config-file",
        str(config),
    )

    assert result.exit_code == 0, result.output
    record = json.loads((output_dir / "iris-service" / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert record["answers"]["author_name"] == "From File"


def test_invalid_name_is_one_error_line_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = invoke(runner, "new", "a/b", "--no-input", "-o", str(tmp_path))

    assert_one_error_line(result)
    assert "path separator" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_project_folder_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "iris-service"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n", encoding="utf-8")

    result = invoke(runner, "new", "Iris Service", "--no-input", "-o", str(tmp_path))

    assert_one_error_line(result)
    assert "--force" in result.stderr
    assert [path.name for path in target.iterdir()] == ["notes.txt"]


def test_force_generates_into_an_existing_folder(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "iris-service"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n", encoding="utf-8")

    result = invoke(runner, "new", "Iris Service", "--no-input", "--force", "-o", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (target / "pyproject.toml").is_file()


def test_unknown_set_key_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(
        runner, "new", "Iris Service", "--no-input", "-o", str(tmp_path), "--set", "colour=blue"
    )

    assert_one_error_line(result)
    assert "unknown question 'colour'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_malformed_set_pair_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(
        runner, "new", "Iris Service", "--no-input", "-o", str(tmp_path), "--set", "novalue"
    )

    assert_one_error_line(result)
    assert list(tmp_path.iterdir()) == []


def test_missing_config_file_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"

    result = invoke(
        runner,
        "new",
        "Iris Service",
        "--no-input",
        "-o",
        str(tmp_path),
        "--config-file",
        str(missing),
    )

    assert_one_error_line(result)
    assert list(tmp_path.iterdir()) == []


def test_dry_run_prints_the_plan_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "new", "Iris Service", "--no-input", "--dry-run", "-o", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "Dry run" in result.stdout
    assert "pyproject.toml" in result.stdout
    assert "create" in result.stdout
    assert "Created" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_no_prompts_when_stdin_is_not_a_terminal(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "new", "Iris Service", "-o", str(tmp_path), stdin="")

    assert result.exit_code == 0, result.output
    for label in ("Author name", "Author email", "Python version", "One-line description"):
        assert label not in result.output
    record = json.loads((tmp_path / "iris-service" / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert record["answers"]["author_name"] == "Your Name"


# The real process


def test_real_process_reports_an_invalid_name_in_one_line(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "fastml_scaffold", "new", "a/b", "--no-input"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    lines = process.stderr.splitlines()
    assert len(lines) == 1, process.stderr
    assert lines[0].startswith("error: ")
    assert process.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_real_process_prints_the_version(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "fastml_scaffold", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert process.returncode == 0
    assert process.stdout == f"fastml {__version__}\n"
