"""The add-endpoint and remove-endpoint commands: options, status lines, errors, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import assert_one_error_line, snapshot
from typer.testing import CliRunner, Result

from fastml_scaffold.cli import app


@pytest.fixture
def runner() -> CliRunner:
    # result.stdout and result.stderr are kept apart; result.output interleaves them.
    return CliRunner()


def invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(app, [str(arg) for arg in args], prog_name="fastml")


def status_lines(result: Result) -> list[tuple[str, str]]:
    """The (action, path) pairs of the status lines a command printed."""
    pairs = []
    for line in result.stdout.splitlines():
        words = line.split()
        if len(words) == 2 and not line.startswith((" +", "+", "-", "@")):
            pairs.append((words[0], words[1]))
    return pairs


# add-endpoint


def test_add_endpoint_prints_create_and_insert_lines(runner: CliRunner, root: Path) -> None:
    result = invoke(runner, "add-endpoint", "score", "--project", root)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert status_lines(result) == [
        ("create", "app/routers/score.py"),
        ("create", "tests/test_score.py"),
        ("insert", "app/main.py"),
        ("insert", ".fastml.json"),
    ]
    assert (root / "app/routers/score.py").is_file()


def test_add_endpoint_twice_prints_identical_and_unchanged(runner: CliRunner, root: Path) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)
    before = snapshot(root)

    result = invoke(runner, "add-endpoint", "score", "--project", root)

    assert result.exit_code == 0, result.output
    assert status_lines(result) == [
        ("identical", "app/routers/score.py"),
        ("identical", "tests/test_score.py"),
        ("unchanged", "app/main.py"),
        ("unchanged", ".fastml.json"),
    ]
    assert snapshot(root) == before


def test_add_endpoint_options_reach_the_generated_code(runner: CliRunner, root: Path) -> None:
    result = invoke(
        runner, "add-endpoint", "lookup", "-m", "get", "--path", "/v1/lookup", "--project", root
    )

    assert result.exit_code == 0, result.output
    router = (root / "app/routers/lookup.py").read_text(encoding="utf-8")
    assert "@router.get(" in router
    assert 'prefix="/v1/lookup"' in router


def test_add_endpoint_crud_and_udp(runner: CliRunner, root: Path) -> None:
    crud = invoke(runner, "add-endpoint", "items", "--crud", "--project", root)
    udp = invoke(runner, "add-endpoint", "telemetry", "--udp", "--port", "9999", "--project", root)

    assert crud.exit_code == 0, crud.output
    assert udp.exit_code == 0, udp.output
    assert ("create", "app/repositories/items.py") in status_lines(crud)
    assert ("create", "app/listeners/telemetry.py") in status_lines(udp)


def test_add_endpoint_dry_run_prints_a_diff_and_writes_nothing(
    runner: CliRunner, root: Path
) -> None:
    before = snapshot(root)

    result = invoke(runner, "add-endpoint", "score", "--dry-run", "--project", root)

    assert result.exit_code == 0, result.output
    assert "--- a/app/main.py" in result.stdout
    assert "+    app.include_router(score.router)" in result.stdout
    assert "+from app.routers import health, predict, score" in result.stdout
    assert result.stdout.rstrip().endswith("Dry run: nothing was written.")
    assert snapshot(root) == before


def test_add_endpoint_quiet_prints_nothing(runner: CliRunner, root: Path) -> None:
    result = invoke(runner, "add-endpoint", "score", "--quiet", "--project", root)

    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (root / "app/routers/score.py").is_file()


def test_add_endpoint_finds_the_project_from_the_current_folder(
    runner: CliRunner, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root / "app")

    result = invoke(runner, "add-endpoint", "score")

    assert result.exit_code == 0, result.output
    assert (root / "app/routers/score.py").is_file()


def test_add_endpoint_force_overwrites_and_skip_keeps(runner: CliRunner, root: Path) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)

    skipped = invoke(runner, "add-endpoint", "score", "-m", "GET", "--skip", "--project", root)
    forced = invoke(runner, "add-endpoint", "score", "-m", "GET", "--force", "--project", root)

    assert skipped.exit_code == 0, skipped.output
    assert ("skip", "app/routers/score.py") in status_lines(skipped)
    assert forced.exit_code == 0, forced.output
    assert ("overwrite", "app/routers/score.py") in status_lines(forced)
    assert "@router.get(" in (root / "app/routers/score.py").read_text(encoding="utf-8")


def test_add_endpoint_force_with_skip_is_one_error_line(runner: CliRunner, root: Path) -> None:
    before = snapshot(root)

    result = invoke(runner, "add-endpoint", "score", "--force", "--skip", "--project", root)

    assert_one_error_line(result)
    assert "--force" in result.stderr
    assert "--skip" in result.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["health"], "not made by fastml add-endpoint", id="project-module"),
        pytest.param(["class"], "reserved word", id="keyword"),
        pytest.param(["other", "--path", "/predict"], "app/routers/predict.py", id="route"),
        pytest.param(["score", "--method", "HEAD"], "--method HEAD", id="method"),
        pytest.param(["score", "--port", "9999"], "--udp", id="port-without-udp"),
        pytest.param(["score", "--udp"], "--port", id="udp-without-port"),
        pytest.param(["score", "--crud", "--method", "GET"], "--crud", id="method-with-crud"),
    ],
)
def test_add_endpoint_collision_is_one_error_line(
    runner: CliRunner, root: Path, args: list[str], message: str
) -> None:
    before = snapshot(root)

    result = invoke(runner, "add-endpoint", *args, "--project", root)

    assert_one_error_line(result)
    assert message in result.stderr
    assert snapshot(root) == before


def test_add_endpoint_conflict_is_one_error_line(runner: CliRunner, root: Path) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)
    before = snapshot(root)

    result = invoke(runner, "add-endpoint", "score", "--method", "GET", "--project", root)

    assert_one_error_line(result)
    assert "--force" in result.stderr
    assert snapshot(root) == before


def test_add_endpoint_missing_registry_is_one_error_line(runner: CliRunner, root: Path) -> None:
    main = root / "app/main.py"
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    main.write_text("".join(line for line in lines if "include_router(" not in line))

    result = invoke(runner, "add-endpoint", "score", "--project", root)

    assert_one_error_line(result)
    assert "app.include_router(score.router)" in result.stderr


def test_add_endpoint_outside_a_project_is_one_error_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    result = invoke(runner, "add-endpoint", "score", "--project", empty)

    assert_one_error_line(result)
    assert ".fastml.json" in result.stderr
    assert list(empty.iterdir()) == []


def test_add_endpoint_without_a_name_is_a_usage_error(runner: CliRunner, root: Path) -> None:
    result = invoke(runner, "add-endpoint", "--project", root)

    assert result.exit_code == 2
    assert "NAME" in result.output


# remove-endpoint


def test_remove_endpoint_prints_remove_lines_and_restores_the_tree(
    runner: CliRunner, root: Path
) -> None:
    original = snapshot(root)
    invoke(runner, "add-endpoint", "score", "--project", root)

    result = invoke(runner, "remove-endpoint", "score", "--project", root)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert status_lines(result) == [
        ("remove", "app/routers/score.py"),
        ("remove", "tests/test_score.py"),
        ("subtract", "app/main.py"),
        ("subtract", ".fastml.json"),
    ]
    assert snapshot(root) == original


def test_remove_endpoint_dry_run_prints_a_diff_and_writes_nothing(
    runner: CliRunner, root: Path
) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)
    before = snapshot(root)

    result = invoke(runner, "remove-endpoint", "score", "--dry-run", "--project", root)

    assert result.exit_code == 0, result.output
    assert "-    app.include_router(score.router)" in result.stdout
    assert result.stdout.rstrip().endswith("Dry run: nothing was removed.")
    assert snapshot(root) == before


def test_remove_endpoint_quiet_prints_nothing(runner: CliRunner, root: Path) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)

    result = invoke(runner, "remove-endpoint", "score", "-q", "--project", root)

    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert not (root / "app/routers/score.py").exists()


def test_remove_endpoint_of_a_changed_file_needs_force(runner: CliRunner, root: Path) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)
    router = root / "app/routers/score.py"
    router.write_text(router.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")

    refused = invoke(runner, "remove-endpoint", "score", "--project", root)
    forced = invoke(runner, "remove-endpoint", "score", "--force", "--project", root)

    assert_one_error_line(refused)
    assert "--force" in refused.stderr
    assert forced.exit_code == 0, forced.output
    assert not router.exists()


def test_remove_endpoint_never_added_is_one_error_line(runner: CliRunner, root: Path) -> None:
    result = invoke(runner, "remove-endpoint", "score", "--project", root)

    assert_one_error_line(result)
    assert "made: none" in result.stderr


# Help


@pytest.mark.parametrize(
    ("command", "examples"),
    [
        (
            "add-endpoint",
            [
                "fastml add-endpoint score --method GET",
                "fastml add-endpoint items --crud",
                "fastml add-endpoint telemetry --udp --port 9999",
            ],
        ),
        ("remove-endpoint", ["fastml remove-endpoint score --dry-run"]),
    ],
)
def test_help_shows_examples(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, command: str, examples: list[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # help wraps to the terminal's width

    result = invoke(runner, command, "--help")

    assert result.exit_code == 0
    for example in examples:
        assert example in result.stdout
    for option in ("--project", "--dry-run", "--force", "--quiet"):
        assert option in result.stdout
