"""The add-endpoint and remove-endpoint commands: options, status lines, errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import assert_one_error_line, snapshot
from typer.testing import CliRunner, Result

from fastml_scaffold.cli import HttpMethod, app
from fastml_scaffold.commands.add_endpoint import HTTP_METHODS


@pytest.fixture
def runner() -> CliRunner:
    # result.stdout and result.stderr are kept apart; result.output interleaves them.
    return CliRunner()


def invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(app, [str(arg) for arg in args], prog_name="fastml")


def assert_usage_error(result: Result, message: str, command: str) -> None:
    """Exit code 2 and one line on stderr: Click's message, then where to read more."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert result.stderr.rstrip().endswith(f"see fastml {command} --help)")
    assert "Usage" not in result.stderr


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
    assert "+from app.routers import health, index, predict, score" in result.stdout
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

    assert_usage_error(result, "Missing argument 'NAME'", "add-endpoint")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--method", "HEAD"], "'HEAD' is not one of", id="method"),
        pytest.param(["--udp", "--port", "abc"], "'abc' is not a valid int", id="port"),
        pytest.param(["--port"], "Option '--port' requires an argument", id="no-value"),
        pytest.param(["--crud", "--rest"], "No such option: --rest", id="unknown"),
    ],
)
def test_add_endpoint_usage_error_is_one_line(
    runner: CliRunner, root: Path, args: list[str], message: str
) -> None:
    before = snapshot(root)

    result = invoke(runner, "add-endpoint", "score", "--project", root, *args)

    assert_usage_error(result, message, "add-endpoint")
    assert snapshot(root) == before


@pytest.mark.parametrize("method", ["get", "Get", "DELETE", "patch"])
def test_add_endpoint_method_is_any_case(runner: CliRunner, root: Path, method: str) -> None:
    result = invoke(runner, "add-endpoint", "score", "-m", method, "--project", root)

    assert result.exit_code == 0, result.output
    router = (root / "app/routers/score.py").read_text(encoding="utf-8")
    assert f"@router.{method.lower()}(" in router


def test_method_choices_are_those_add_endpoint_accepts() -> None:
    assert tuple(method.value for method in HttpMethod) == HTTP_METHODS


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


def test_method_help_lists_the_choices(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")

    result = invoke(runner, "add-endpoint", "-h")

    assert result.exit_code == 0
    assert "--method <GET|POST|PUT|PATCH|DELETE>" in result.stdout


@pytest.mark.parametrize("command", ["add-endpoint", "remove-endpoint"])
def test_usage_line_shows_name_plainly(runner: CliRunner, command: str) -> None:
    result = invoke(runner, command, "--help")

    assert f"Usage: fastml {command} [OPTIONS] NAME\n" in result.stdout


# endpoints


def table(result: Result) -> list[list[str]]:
    """The rows of the endpoints table, each split into its cells."""
    return [line.split() for line in result.stdout.splitlines()]


def test_endpoints_of_a_new_project_says_how_to_add_one(runner: CliRunner, root: Path) -> None:
    result = invoke(runner, "endpoints", "--project", root)

    assert result.exit_code == 0, result.output
    assert result.stdout == "No endpoints yet: add one with fastml add-endpoint NAME.\n"


def test_endpoints_lists_each_kind_with_its_files(runner: CliRunner, root: Path) -> None:
    invoke(runner, "add-endpoint", "score", "-m", "get", "--project", root)
    invoke(runner, "add-endpoint", "items", "--crud", "--project", root)
    invoke(runner, "add-endpoint", "telemetry", "--udp", "--port", "9999", "--project", root)
    invoke(runner, "add-endpoint", "lookup", "--path", "/v1/lookup/{key}", "--project", root)
    before = snapshot(root)

    result = invoke(runner, "endpoints", "--project", root)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert table(result) == [
        ["NAME", "KIND", "METHOD", "PATH", "FILES"],
        [
            "items",
            "resource",
            "CRUD",
            "/items",
            "app/repositories/items.py",
            "app/routers/items.py",
            "tests/test_items.py",
        ],
        [
            "lookup",
            "route",
            "POST",
            "/v1/lookup/{key}",
            "app/routers/lookup.py",
            "tests/test_lookup.py",
        ],
        ["score", "route", "GET", "/score", "app/routers/score.py", "tests/test_score.py"],
        [
            "telemetry",
            "listener",
            "UDP",
            ":9999",
            "app/listeners/telemetry.py",
            "tests/test_telemetry.py",
        ],
    ]
    assert snapshot(root) == before


def test_endpoints_files_are_the_ones_add_endpoint_wrote(runner: CliRunner, root: Path) -> None:
    before = set(snapshot(root))
    invoke(runner, "add-endpoint", "items", "--crud", "--project", root)
    written = set(snapshot(root)) - before

    result = invoke(runner, "endpoints", "--project", root)

    listed = set(table(result)[1][4:])
    assert listed == written - {"app/repositories/__init__.py"}  # the package's, not the item's


def test_endpoints_finds_the_project_from_the_current_folder(
    runner: CliRunner, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)
    monkeypatch.chdir(root / "tests")

    result = invoke(runner, "endpoints")

    assert result.exit_code == 0, result.output
    assert table(result)[1][:4] == ["score", "route", "POST", "/score"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"kind": "socket"}, "kind 'socket'", id="kind"),
        pytest.param({"name": "other"}, "is named 'other'", id="name"),
        pytest.param({"port": "9999"}, "port is not int", id="port-type"),
        pytest.param({"path": "no-slash"}, "invalid name or path", id="path"),
        pytest.param({"colour": "blue"}, "unknown field 'colour'", id="field"),
    ],
)
def test_endpoints_with_a_damaged_record_is_one_error_line(
    runner: CliRunner, root: Path, change: dict[str, str], message: str
) -> None:
    invoke(runner, "add-endpoint", "score", "--project", root)
    record_file = root / ".fastml.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    record["endpoints"]["score"].update(change)
    record_file.write_text(json.dumps(record), encoding="utf-8")

    result = invoke(runner, "endpoints", "--project", root)

    assert_one_error_line(result)
    assert "is damaged" in result.stderr
    assert message in result.stderr


def test_endpoints_outside_a_project_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "endpoints", "--project", tmp_path)

    assert_one_error_line(result)
    assert ".fastml.json" in result.stderr
