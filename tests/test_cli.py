"""The fastml command line: options, output, exit codes; in-process and as a real process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import TOOLS, assert_one_error_line
from typer.testing import CliRunner, Result

from fastml_scaffold import __version__
from fastml_scaffold.cli import app
from fastml_scaffold.project import RECORD_FILE
from fastml_scaffold.templates import load_template

# The console script, as a user runs it; ``python -m fastml_scaffold`` where it is not
# installed.  Both import the CLI the same way.
FASTML = (
    [str(TOOLS / "fastml")]
    if (TOOLS / "fastml").exists()
    else [sys.executable, "-m", "fastml_scaffold"]
)


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


@pytest.mark.parametrize(
    "command", [[], ["new"], ["add-endpoint"], ["remove-endpoint"], ["endpoints"]]
)
def test_h_is_help_everywhere(runner: CliRunner, command: list[str]) -> None:
    short = invoke(runner, *command, "-h")
    long = invoke(runner, *command, "--help")

    assert short.exit_code == 0, short.output
    assert short.stdout == long.stdout
    assert "-h, --help" in short.stdout


def test_new_usage_shows_name_plainly(runner: CliRunner) -> None:
    result = invoke(runner, "new", "--help")

    assert "Usage: fastml new [OPTIONS] NAME\n" in result.stdout
    assert "{NAME}" not in result.stdout


def test_new_help_lists_every_question_with_its_default_and_choices(runner: CliRunner) -> None:
    result = invoke(runner, "new", "--help")

    assert result.exit_code == 0
    _, section = result.stdout.split(
        "\nQuestions (answer with --set KEY=VALUE, or when prompted):\n"
    )
    rows: dict[str, str] = {}  # a question's key, and its help unwrapped
    for line in section.splitlines():
        key, _, text = line.strip().partition(" ")
        if line.startswith("  ") and not line.startswith("   "):
            rows[key] = text.strip()
        else:
            rows[list(rows)[-1]] += " " + line.strip()
    questions = load_template("project").questions
    assert set(rows) == set(questions) - {"project_name"}
    assert rows["author_email"] == "Author email  [default: you@example.com]"
    assert rows["python_version"].endswith("[3.11, 3.12, 3.13; default: 3.11]")
    assert rows["docker"] == "A Dockerfile  [yes, no; default: yes]"
    assert rows["model_framework"].endswith("[sklearn, onnx, pytorch, custom; default: sklearn]")
    assert rows["device"].endswith(
        "[cpu, auto, cuda; default: cpu; asked when model_framework=pytorch]"
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            ["--model-framework", "onnx"],
            "No such option: --model-framework (try --set model_framework=onnx; "
            "see fastml new --help)",
            id="question-as-option",
        ),
        pytest.param(
            ["--model-framework=pytorch"],
            "No such option: --model-framework (try --set model_framework=pytorch; "
            "see fastml new --help)",
            id="question-as-option=value",
        ),
        pytest.param(
            ["--author-name", "Ada Lovelace"],
            "No such option: --author-name (try --set author_name='Ada Lovelace'; "
            "see fastml new --help)",
            id="quoted-value",
        ),
        pytest.param(
            ["--docker"],
            "No such option: --docker (try --set docker=yes; see fastml new --help)",
            id="yes-no-flag",
        ),
        pytest.param(
            ["--no-kubernetes"],
            "No such option: --no-kubernetes (try --set kubernetes=no; see fastml new --help)",
            id="negated-flag",
        ),
        pytest.param(
            ["--dryrun"],
            "No such option: --dryrun (try --dry-run; see fastml new --help)",
            id="typo",
        ),
        pytest.param(
            ["--colour"], "No such option: --colour (see fastml new --help)", id="unknown"
        ),
        pytest.param(
            ["extra"],
            "Got unexpected extra argument(s) (extra) (see fastml new --help)",
            id="extra-argument",
        ),
        pytest.param(
            ["-o"], "Option '-o' requires an argument (see fastml new --help)", id="no-value"
        ),
    ],
)
def test_new_usage_error_is_one_line_with_a_hint(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], line: str
) -> None:
    monkeypatch.chdir(tmp_path)

    result = invoke(runner, "new", "Iris Service", "--no-input", *args)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"error: {line}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(["new"], "Missing argument 'NAME' (see fastml new --help)", id="missing"),
        pytest.param(
            ["nwe"], "No such command 'nwe'. Did you mean 'new'? (see fastml --help)", id="command"
        ),
        pytest.param(["--colour"], "No such option: --colour (see fastml --help)", id="top"),
        pytest.param(
            ["endpoints", "--project"],
            "Option '--project' requires an argument (see fastml endpoints --help)",
            id="endpoints",
        ),
    ],
)
def test_usage_error_is_one_line_with_the_help_to_read(
    runner: CliRunner, args: list[str], line: str
) -> None:
    result = invoke(runner, *args)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"error: {line}\n"


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["-h"], ["new", "--help"], ["add-endpoint", "-h"]]
)
def test_help_and_version_do_not_load_the_heavy_libraries(tmp_path: Path, args: list[str]) -> None:
    # They would add 100 ms or more to each: bench/cli_startup.py measures it.
    code = (
        "import sys\n"
        f"sys.argv = ['fastml', *{args!r}]\n"
        "from fastml_scaffold.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {name.partition('.')[0] for name in sys.modules}\n"
        "sys.stderr.write(' '.join(sorted(heavy & {'cookiecutter', 'jinja2', 'rich'})))\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert process.stderr == ""
    assert "Usage" in process.stdout or "fastml" in process.stdout


# Shell completion


def test_show_completion_prints_the_script(runner: CliRunner) -> None:
    result = invoke(runner, "--show-completion", "bash")

    assert result.exit_code == 0, result.output
    assert "_FASTML_COMPLETE=complete_bash" in result.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param("fastml n", ["new"], id="command"),
        pytest.param("fastml new X --set python_v", ["python_version="], id="question"),
        pytest.param(
            "fastml new X --set python_version=3.1",
            ["python_version=3.11", "python_version=3.12", "python_version=3.13"],
            id="choice",
        ),
        pytest.param(
            "fastml add-endpoint x -m ", ["GET", "POST", "PUT", "PATCH", "DELETE"], id="method"
        ),
    ],
)
def test_real_shell_completion(tmp_path: Path, words: str, expected: list[str]) -> None:
    env = {
        **os.environ,
        "_FASTML_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    process = subprocess.run(
        FASTML, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

    assert process.returncode == 0, process.stderr
    assert process.stdout.split() == expected


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
    assert (chdir_tmp / "out" / "iris-service" / RECORD_FILE).is_file()
    assert "cd out/iris-service" in result.stdout


def test_new_defaults_to_the_current_folder(runner: CliRunner, chdir_tmp: Path) -> None:
    result = invoke(runner, "new", "Iris Service", "--no-input")

    assert result.exit_code == 0, result.output
    assert (chdir_tmp / "iris-service" / RECORD_FILE).is_file()


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
    record = json.loads((tmp_path / "iris-service" / RECORD_FILE).read_text(encoding="utf-8"))
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
    record = json.loads((output_dir / "iris-service" / RECORD_FILE).read_text(encoding="utf-8"))
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
    record = json.loads((tmp_path / "iris-service" / RECORD_FILE).read_text(encoding="utf-8"))
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


def test_real_process_reports_a_usage_error_in_one_line(tmp_path: Path) -> None:
    process = subprocess.run(
        [*FASTML, "new", "X", "--model-framework", "onnx"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert process.returncode == 2
    assert process.stdout == ""
    assert process.stderr == (
        "error: No such option: --model-framework "
        "(try --set model_framework=onnx; see fastml new --help)\n"
    )


# Interrupts: Ctrl-C, kill, a closed terminal


def wait_until_fastml_runs(pid: int, timeout: float = 30) -> None:
    """Wait until fastml's first statements have run: they handle SIGTERM.

    Before them the interpreter starts and the package's ``__init__`` loads (some 20 ms), and
    no code of fastml can catch a signal there.  On a busy machine that stretches, so the
    delays count from here.  Elsewhere than Linux, a fixed wait stands in.
    """
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + timeout
    while status.exists() and time.monotonic() < deadline:
        caught = re.search(r"^SigCgt:\s*([0-9a-f]+)$", status.read_text(), re.MULTILINE)
        if caught and int(caught.group(1), 16) >> (signal.SIGTERM - 1) & 1:
            return
        time.sleep(0.001)
    if not status.exists():
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("delay", [0.0, 0.03, 0.1, 0.2, 0.3, 0.6, 1.5])
def test_a_signal_at_any_time_ends_new_cleanly(
    tmp_path: Path, signum: signal.Signals, delay: float
) -> None:
    """Loading Typer, loading Cookiecutter, rendering, moving into place, or done: whenever
    the signal comes, one line or none, exit code 130 or 0, and no staging folder left."""
    process = subprocess.Popen(
        [*FASTML, "new", "X", "--no-input", "-o", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_fastml_runs(process.pid)
    time.sleep(delay)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)

    assert "Traceback" not in stderr
    assert process.returncode in (0, 130), stderr
    if process.returncode == 130:
        assert stderr in ("error: Interrupted: nothing was written.\n", "")
    else:
        assert (tmp_path / "x" / RECORD_FILE).is_file()
    assert [path.name for path in tmp_path.iterdir() if path.name != "x"] == []


def test_new_says_which_leftover_staging_folders_it_removed(tmp_path: Path) -> None:
    dead = tmp_path / ".fastml-new-999999999-abcd1234"
    dead.mkdir()

    result = CliRunner().invoke(app, ["new", "X", "--no-input", "-o", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert f"Removed {dead}, left by a run that was killed." in result.stdout
    assert not dead.exists()
