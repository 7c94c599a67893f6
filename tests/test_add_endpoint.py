"""add_endpoint() and remove_endpoint(), called directly on copies of one rendered project.

The project is rendered once per session; each test works on its own copy, and compares
snapshots of every file to prove what changed and, above all, what did not.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from support import TOOLS, run, snapshot

from fastml_scaffold.commands.add_endpoint import EndpointResult, add_endpoint
from fastml_scaffold.commands.remove_endpoint import remove_endpoint
from fastml_scaffold.endpoints import AnchorNotFoundError
from fastml_scaffold.errors import FastmlError, InvalidAnswerError, InvalidNameError
from fastml_scaffold.naming import MAX_ENDPOINT_LENGTH, MAX_PATH_LENGTH
from fastml_scaffold.plan import Action, OnConflict

MAIN = "app/main.py"
ANSWERS = ".fastml.json"
INCLUDE = "    app.include_router({}.router)"

# One endpoint of each kind, as keyword arguments of add_endpoint.
KINDS: dict[str, dict[str, Any]] = {
    "route": {},
    "resource": {"crud": True},
    "listener": {"udp": True, "port": 9999},
}


Snapshot = dict[str, bytes]


def actions(result: EndpointResult) -> dict[str, Action]:
    return {change.path.as_posix(): change.action for change in result.changes}


def read(root: Path, relative: str) -> str:
    return (root / relative).read_text(encoding="utf-8")


def endpoints_record(root: Path) -> dict[str, Any]:
    endpoints: dict[str, Any] = json.loads(read(root, ANSWERS)).get("endpoints", {})
    return endpoints


def main_lines(root: Path) -> list[str]:
    return read(root, MAIN).splitlines()


def routers_import(root: Path) -> str:
    """The text of the ``from app.routers import ...`` statement of main.py."""
    text = read(root, MAIN)
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom) and node.module == "app.routers":
            return (ast.get_source_segment(text, node) or "") + "\n"
    raise AssertionError("main.py does not import app.routers")


def includes(root: Path) -> list[tuple[str, int, int]]:
    """Each ``include_router`` call of main.py: its argument, first line and last line."""
    calls = []
    for node in ast.walk(ast.parse(read(root, MAIN))):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func).endswith(".include_router")
        ):
            argument = ast.unparse(node.value.args[0])
            calls.append((argument, node.lineno, node.end_lineno or node.lineno))
    return sorted(calls, key=lambda call: call[1])


def decorator_of(router: str, function: str) -> ast.Call:
    """The ``@router.<method>(...)`` call that decorates ``function`` in ``router``'s text."""
    tree = ast.parse(router)
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef) and node.name == function:
            decorator = node.decorator_list[0]
            assert isinstance(decorator, ast.Call)
            return decorator
    raise AssertionError(f"no function {function} in the router")


def status_code_of(decorator: ast.Call) -> int:
    keyword = next(kw for kw in decorator.keywords if kw.arg == "status_code")
    name = ast.unparse(keyword.value)  # "status.HTTP_201_CREATED"
    found = re.search(r"HTTP_(\d{3})_", name)
    assert found is not None, name
    return int(found.group(1))


def ruff_is_clean(root: Path, original: Snapshot) -> None:
    """Lint and format checks pass, with the project's own configuration, on every Python
    file that differs from ``original``: what the commands wrote, whatever the template's
    own files look like.
    """
    changed = sorted(
        path
        for path, data in snapshot(root).items()
        if path.endswith(".py") and original.get(path) != data
    )
    assert changed
    run([TOOLS / "ruff", "check", "--no-cache", *changed], cwd=root)
    run([TOOLS / "ruff", "format", "--check", "--no-cache", *changed], cwd=root)


def add_every_kind(root: Path, names: list[str], paths: list[str | None]) -> None:
    """A route of each method, a resource and a listener, with the given names and paths."""
    routes = zip(("GET", "PUT", "PATCH", "DELETE", "POST"), names, paths, strict=False)
    for method, name, path in routes:
        add_endpoint(name, method=method, path=path, project=root)
    add_endpoint(names[5], crud=True, path=paths[5], project=root)
    add_endpoint(names[6], udp=True, port=9999, project=root)


def long_name(prefix: str) -> str:
    return prefix.ljust(MAX_ENDPOINT_LENGTH, "x")


def long_path(prefix: str) -> str:
    return prefix.ljust(MAX_PATH_LENGTH, "z")


# The default: a POST route


def test_default_endpoint_creates_its_router_and_its_test(root: Path) -> None:
    before = snapshot(root)

    add_endpoint("score", project=root)

    created = sorted(set(snapshot(root)) - set(before))
    assert created == ["app/routers/score.py", "tests/test_score.py"]


def test_default_endpoint_is_imported(root: Path) -> None:
    add_endpoint("score", project=root)

    assert "from app.routers import health, index, predict, score" in main_lines(root)


def test_default_endpoint_is_included_on_the_line_after_the_last_router(root: Path) -> None:
    before = includes(root)

    add_endpoint("score", project=root)

    after = includes(root)
    assert [call[0] for call in after] == [call[0] for call in before] + ["score.router"]
    _, first, last = after[-1]
    assert first == last == after[-2][2] + 1
    assert main_lines(root)[first - 1] == INCLUDE.format("score")


def test_default_endpoint_is_recorded_in_fastml_json(root: Path) -> None:
    add_endpoint("score", project=root)

    assert endpoints_record(root) == {"score": {"kind": "route", "method": "POST", "name": "score"}}


def test_default_endpoint_reports_create_and_insert(root: Path) -> None:
    result = add_endpoint("score", project=root)

    assert actions(result) == {
        "app/routers/score.py": Action.CREATE,
        "tests/test_score.py": Action.CREATE,
        MAIN: Action.INSERT,
        ANSWERS: Action.INSERT,
    }
    assert result.root == root.resolve()
    assert not result.dry_run


def test_default_endpoint_is_a_post_answering_201(root: Path) -> None:
    add_endpoint("score", project=root)

    decorator = decorator_of(read(root, "app/routers/score.py"), "score")
    assert ast.unparse(decorator.func) == "router.post"
    assert status_code_of(decorator) == 201


def test_the_name_given_with_spaces_becomes_a_module(root: Path) -> None:
    add_endpoint("Batch Score", project=root)

    assert (root / "app/routers/batch_score.py").is_file()
    assert 'prefix="/batch-score"' in read(root, "app/routers/batch_score.py")
    assert endpoints_record(root)["batch_score"]["name"] == "Batch Score"


# --method


@pytest.mark.parametrize(
    ("method", "status_code"),
    [("GET", 200), ("POST", 201), ("PUT", 200), ("PATCH", 200), ("DELETE", 204)],
)
def test_method_sets_the_decorator_and_the_status_code(
    root: Path, method: str, status_code: int
) -> None:
    add_endpoint("score", method=method, project=root)

    decorator = decorator_of(read(root, "app/routers/score.py"), "score")
    assert ast.unparse(decorator.func) == f"router.{method.lower()}"
    assert status_code_of(decorator) == status_code
    assert f"assert response.status_code == {status_code}" in read(root, "tests/test_score.py")
    assert endpoints_record(root)["score"]["method"] == method


def test_method_in_lower_case_works(root: Path) -> None:
    add_endpoint("lookup", method="get", project=root)

    decorator = decorator_of(read(root, "app/routers/lookup.py"), "lookup")
    assert ast.unparse(decorator.func) == "router.get"
    assert endpoints_record(root)["lookup"]["method"] == "GET"


@pytest.mark.parametrize("method", ["HEAD", "fetch", "POSTS"])
def test_unknown_method_is_an_invalid_answer(root: Path, method: str) -> None:
    before = snapshot(root)

    with pytest.raises(InvalidAnswerError, match="--method"):
        add_endpoint("score", method=method, project=root)

    assert snapshot(root) == before


# --crud and --udp


def test_crud_creates_a_repository_a_router_and_a_test(root: Path) -> None:
    before = snapshot(root)

    result = add_endpoint("items", crud=True, project=root)

    created = sorted(set(snapshot(root)) - set(before))
    assert created == [
        "app/repositories/__init__.py",
        "app/repositories/items.py",
        "app/routers/items.py",
        "tests/test_items.py",
    ]
    assert set(actions(result).values()) == {Action.CREATE, Action.INSERT}
    assert "from app.routers import health, index, items, predict" in main_lines(root)
    assert main_lines(root).count(INCLUDE.format("items")) == 1
    assert endpoints_record(root) == {"items": {"kind": "resource", "name": "items"}}


def test_udp_creates_a_listener_and_a_test(root: Path) -> None:
    before = snapshot(root)

    result = add_endpoint("telemetry", udp=True, port=9999, project=root)

    created = sorted(set(snapshot(root)) - set(before))
    assert created == [
        "app/listeners/__init__.py",
        "app/listeners/telemetry.py",
        "tests/test_telemetry.py",
    ]
    assert set(actions(result).values()) == {Action.CREATE, Action.INSERT}
    assert "default=9999" in read(root, "app/listeners/telemetry.py")
    assert endpoints_record(root) == {
        "telemetry": {"kind": "listener", "name": "telemetry", "port": 9999}
    }


def test_udp_listener_enters_the_services_just_before_the_yield(root: Path) -> None:
    add_endpoint("telemetry", udp=True, port=9999, project=root)

    lines = main_lines(root)
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("yield "))
    assert lines[at - 1] == "            await services.enter_async_context(telemetry.serve())"
    assert not any("include_router(telemetry" in line for line in lines)


def test_udp_listener_import_takes_its_sorted_place_among_the_app_imports(root: Path) -> None:
    add_endpoint("telemetry", udp=True, port=9999, project=root)

    lines = main_lines(root)
    at = lines.index("from app.listeners import telemetry")
    assert lines[at - 1].startswith("from app.errors import ")
    assert lines[at + 1].startswith("from app.model import ")
    app_imports = [line for line in lines if line.startswith("from app.")]
    assert app_imports == sorted(app_imports)


def test_a_second_listener_joins_the_first_ones_import(root: Path) -> None:
    add_endpoint("telemetry", udp=True, port=9999, project=root)

    add_endpoint("beacon", udp=True, port=9998, project=root)

    lines = main_lines(root)
    assert "from app.listeners import beacon, telemetry" in lines
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("yield "))
    assert lines[at - 2 : at] == [
        "            await services.enter_async_context(telemetry.serve())",
        "            await services.enter_async_context(beacon.serve())",
    ]


# Idempotence and --dry-run


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_identical_run_changes_nothing(root: Path, kind: str) -> None:
    add_endpoint("things", project=root, **KINDS[kind])
    before = snapshot(root)

    result = add_endpoint("things", project=root, **KINDS[kind])

    assert set(actions(result).values()) <= {Action.IDENTICAL, Action.UNCHANGED}
    assert snapshot(root) == before


def test_dry_run_writes_nothing_and_returns_the_plan(root: Path) -> None:
    before = snapshot(root)

    result = add_endpoint("score", project=root, dry_run=True)

    assert snapshot(root) == before
    assert result.dry_run
    assert actions(result) == {
        "app/routers/score.py": Action.CREATE,
        "tests/test_score.py": Action.CREATE,
        MAIN: Action.INSERT,
        ANSWERS: Action.INSERT,
    }


def test_dry_run_diff_of_main_shows_the_inserted_lines(root: Path) -> None:
    result = add_endpoint("score", project=root, dry_run=True)

    change = next(change for change in result.changes if change.path.as_posix() == MAIN)
    diff = change.diff()
    assert diff.startswith(f"--- a/{MAIN}\n+++ b/{MAIN}\n")
    assert "\n+    app.include_router(score.router)\n" in diff
    assert "\n-from app.routers import health, index, predict\n" in diff
    assert "\n+from app.routers import health, index, predict, score\n" in diff


def test_dry_run_plans_the_package_of_a_first_resource(root: Path) -> None:
    before = snapshot(root)

    result = add_endpoint("items", crud=True, project=root, dry_run=True)

    assert actions(result)["app/repositories/__init__.py"] is Action.CREATE
    assert snapshot(root) == before


# Generated code parses and passes the project's lint


@pytest.mark.parametrize(
    ("names", "paths"),
    [
        pytest.param(["a", "b", "c", "d", "e", "f", "g"], [None] * 6, id="short"),
        pytest.param(
            ["lookup", "settings doc", "tune", "purge-all", "Batch Score", "categories", "beacon"],
            [None, None, "/models/{model_id}/tune", None, "/v1/score", "/v1/categories"],
            id="words",
        ),
        pytest.param(
            [long_name(f"{prefix}_") for prefix in ("get", "put", "patch", "delete", "post")]
            + [long_name("resource_items"), long_name("listener_")],
            [long_path(f"/v1/organisations/{{organisation_id}}/{kind}/") for kind in "abcde"]
            + [long_path("/v1/organisations/{organisation_id}/items-")],
            id="longest",
        ),
    ],
)
def test_every_kind_of_endpoint_parses_and_passes_ruff(
    root: Path, names: list[str], paths: list[str | None]
) -> None:
    original = snapshot(root)

    add_every_kind(root, names, paths)

    for path in root.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    ruff_is_clean(root, original)


def test_longest_names_are_at_the_limits() -> None:
    assert len(long_name("get_")) == MAX_ENDPOINT_LENGTH == 30
    assert len(long_path("/v1/")) == MAX_PATH_LENGTH == 60


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("responses", id="Response-of-fastapi"),
        pytest.param("queries", id="Query-of-fastapi"),
        pytest.param("repositories", id="Repository-alias"),
    ],
)
def test_resource_whose_class_clashes_with_the_router_is_refused_or_lint_clean(
    root: Path, name: str
) -> None:
    original = snapshot(root)

    try:
        add_endpoint(name, crud=True, project=root)
    except FastmlError:
        return  # refused: fine

    ruff_is_clean(root, original)


# Collisions: each one refused before anything is written


def test_same_name_with_another_method_is_a_conflict(root: Path) -> None:
    add_endpoint("score", project=root)
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"app/routers/score\.py exists with other content"):
        add_endpoint("score", method="GET", project=root)

    assert snapshot(root) == before


def test_force_overwrites_the_files_of_the_same_name(root: Path) -> None:
    add_endpoint("score", project=root)

    result = add_endpoint("score", method="GET", project=root, on_conflict=OnConflict.FORCE)

    assert actions(result)["app/routers/score.py"] is Action.OVERWRITE
    assert actions(result)["tests/test_score.py"] is Action.OVERWRITE
    assert actions(result)[MAIN] is Action.UNCHANGED
    decorator = decorator_of(read(root, "app/routers/score.py"), "score")
    assert ast.unparse(decorator.func) == "router.get"
    assert endpoints_record(root)["score"]["method"] == "GET"


def test_skip_keeps_the_files_of_the_same_name(root: Path) -> None:
    add_endpoint("score", project=root)
    router = read(root, "app/routers/score.py")

    result = add_endpoint("score", method="GET", project=root, on_conflict=OnConflict.SKIP)

    assert actions(result)["app/routers/score.py"] is Action.SKIP
    assert actions(result)["tests/test_score.py"] is Action.SKIP
    assert read(root, "app/routers/score.py") == router


def test_skip_keeps_the_record_in_step_with_the_kept_files(root: Path) -> None:
    original = snapshot(root)
    add_endpoint("score", project=root)
    add_endpoint("score", method="GET", project=root, on_conflict=OnConflict.SKIP)

    remove_endpoint("score", project=root)

    assert snapshot(root) == original


@pytest.mark.parametrize("name", ["health", "predict", "main", "config", "model", "schemas"])
def test_name_of_a_module_of_the_project_is_refused(root: Path, name: str) -> None:
    before = snapshot(root)

    with pytest.raises(FastmlError, match=name):
        add_endpoint(name, project=root)

    assert snapshot(root) == before


@pytest.mark.parametrize("name", ["logging", "lifespan", "create_app"])
def test_name_bound_in_main_is_refused(root: Path, name: str) -> None:
    before = snapshot(root)

    with pytest.raises(InvalidNameError, match="would shadow"):
        add_endpoint(name, project=root)

    assert snapshot(root) == before


@pytest.mark.parametrize("name", ["1abc", "a/b", "café", "class", "match", "router", "  "])
def test_name_that_is_not_a_free_identifier_is_refused(root: Path, name: str) -> None:
    before = snapshot(root)

    with pytest.raises(InvalidNameError):
        add_endpoint(name, project=root)

    assert snapshot(root) == before


def test_name_of_a_router_made_by_hand_is_refused_even_with_force(root: Path) -> None:
    (root / "app/routers/mine.py").write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n"
    )
    before = snapshot(root)

    with pytest.raises(FastmlError, match="not made by fastml add-endpoint"):
        add_endpoint("mine", project=root, on_conflict=OnConflict.FORCE)

    assert snapshot(root) == before


def test_a_route_that_exists_is_refused(root: Path) -> None:
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"POST /predict .*app/routers/predict\.py"):
        add_endpoint("other", path="/predict", project=root)

    assert snapshot(root) == before


def test_a_route_of_another_method_on_an_existing_path_is_refused(root: Path) -> None:
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"GET /livez .*app/routers/health\.py"):
        add_endpoint("livez", method="GET", project=root)

    assert snapshot(root) == before


def test_a_resource_whose_item_routes_exist_is_refused(root: Path) -> None:
    add_endpoint("lookup", method="GET", path="/items/{item_id}", project=root)
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"GET /items .*app/routers/lookup\.py"):
        add_endpoint("items", crud=True, project=root)

    assert snapshot(root) == before


def test_a_udp_port_taken_by_another_listener_is_refused(root: Path) -> None:
    add_endpoint("telemetry", udp=True, port=9999, project=root)
    before = snapshot(root)

    with pytest.raises(FastmlError, match="9999 is taken by the listener 'telemetry'"):
        add_endpoint("beacon", udp=True, port=9999, project=root)

    assert snapshot(root) == before


def test_port_zero_is_a_free_port_picked_at_start(root: Path) -> None:
    add_endpoint("telemetry", udp=True, port=0, project=root)

    listener = (root / "app" / "listeners" / "telemetry.py").read_text(encoding="utf-8")
    assert "default=0," in listener


def test_a_udp_port_another_process_holds_is_refused(root: Path) -> None:
    before = snapshot(root)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]

        with pytest.raises(FastmlError, match=f"UDP port {port} is in use"):
            add_endpoint("telemetry", udp=True, port=port, project=root)

    assert snapshot(root) == before


def test_a_port_below_1024_needs_force(root: Path) -> None:
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"below 1024.*--force"):
        add_endpoint("syslog", udp=True, port=514, project=root)

    assert snapshot(root) == before
    add_endpoint("syslog", udp=True, port=514, project=root, on_conflict=OnConflict.FORCE)
    assert (root / "app" / "listeners" / "syslog.py").is_file()


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"port": 9999}, id="port-without-udp"),
        pytest.param({"udp": True}, id="udp-without-port"),
        pytest.param({"udp": True, "port": -1}, id="port-negative"),
        pytest.param({"udp": True, "port": 65536}, id="port-too-high"),
        pytest.param({"crud": True, "udp": True, "port": 9999}, id="crud-with-udp"),
        pytest.param({"crud": True, "method": "GET"}, id="method-with-crud"),
        pytest.param({"udp": True, "port": 9999, "method": "GET"}, id="method-with-udp"),
        pytest.param({"udp": True, "port": 9999, "path": "/x"}, id="path-with-udp"),
    ],
)
def test_options_that_do_not_go_together_are_refused(root: Path, options: dict[str, Any]) -> None:
    before = snapshot(root)

    with pytest.raises(InvalidAnswerError):
        add_endpoint("score", project=root, **options)

    assert snapshot(root) == before


def test_outside_a_project_is_an_error_that_names_the_record(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    with pytest.raises(FastmlError, match=r"\.fastml\.json"):
        add_endpoint("score", project=empty)

    assert list(empty.iterdir()) == []


def test_nested_folder_finds_the_project_root(root: Path) -> None:
    result = add_endpoint("score", project=root / "app" / "routers")

    assert result.root == root.resolve()
    assert (root / "app/routers/score.py").is_file()
    assert not (root / "app/routers/app").exists()


# The registry survives reformatting and hand edits


def reformat_main(root: Path) -> None:
    """main.py as a user might leave it: wrapped imports and calls, a router of their own."""
    main = root / MAIN
    text = main.read_text(encoding="utf-8")
    routers = "from app.routers import health, index, predict\n"
    assert routers in text
    text = text.replace(
        routers,
        "from app.routers import (\n    health,\n    index,\n    mine,\n    predict,\n)\n",
    )
    registry = (
        "    app.include_router(health.router)  # open to all: probes send no key\n"
        "    app.include_router(predict.router)\n"
    )
    assert registry in text
    text = text.replace(
        registry,
        "    app.include_router(\n        health.router,\n"
        "    )  # open to all: probes send no key\n"
        "    app.include_router(\n        predict.router,\n    )\n"
        '    app.include_router(mine.router, prefix="/mine")\n',
    )
    main.write_text(text, encoding="utf-8")
    (root / "app/routers/mine.py").write_text(
        '"""A router written by hand."""\n\n'
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/hello")\n'
        "async def hello() -> str:\n"
        '    return "hi"\n',
        encoding="utf-8",
    )


def test_reformatted_main_still_takes_a_router(root: Path) -> None:
    original = snapshot(root)
    reformat_main(root)
    before = includes(root)

    add_endpoint("score", project=root)

    assert routers_import(root) == (
        "from app.routers import (\n"
        "    health,\n    index,\n    mine,\n    predict,\n    score,\n"
        ")\n"
    )
    after = includes(root)
    assert [call[0] for call in after] == [call[0] for call in before] + ["score.router"]
    assert after[-1][1] == after[-2][2] + 1  # the line after the last include
    assert main_lines(root)[after[-1][1] - 1] == INCLUDE.format("score")
    ruff_is_clean(root, original)


def test_reformatted_main_keeps_every_line_of_the_users(root: Path) -> None:
    reformat_main(root)
    before = main_lines(root)

    add_endpoint("score", project=root)

    after = main_lines(root)
    added = [line for line in after if line not in before]
    assert added == ["    score,", INCLUDE.format("score")]
    assert [line for line in after if line in before] == before


def test_reformatted_main_takes_a_router_once(root: Path) -> None:
    reformat_main(root)
    add_endpoint("score", project=root)
    before = snapshot(root)

    result = add_endpoint("score", project=root)

    assert actions(result)[MAIN] is Action.UNCHANGED
    assert snapshot(root) == before


def test_a_router_included_by_hand_over_several_lines_is_not_included_twice(root: Path) -> None:
    add_endpoint("score", project=root)
    main = root / MAIN
    main.write_text(
        read(root, MAIN).replace(
            "app.include_router(score.router)", "app.include_router(\n        score.router,\n    )"
        ),
        encoding="utf-8",
    )
    before = snapshot(root)

    result = add_endpoint("score", project=root)

    assert actions(result)[MAIN] is Action.UNCHANGED
    assert snapshot(root) == before


def test_a_renamed_exit_stack_takes_a_listener(root: Path) -> None:
    main = root / MAIN
    main.write_text(
        read(root, MAIN)
        .replace("as services:", "as stack:")
        .replace("services.enter_async_context", "stack.enter_async_context"),
        encoding="utf-8",
    )

    add_endpoint("telemetry", udp=True, port=9999, project=root)

    lines = main_lines(root)
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("yield "))
    assert lines[at - 1] == "            await stack.enter_async_context(telemetry.serve())"


def test_an_include_on_a_last_line_without_a_newline_takes_a_router(root: Path) -> None:
    main = root / MAIN
    text = read(root, MAIN).replace("    app.include_router(predict.router)\n", "")
    main.write_text(text.rstrip("\n") + "\napp.include_router(predict.router)", encoding="utf-8")

    add_endpoint("score", project=root)

    ast.parse(read(root, MAIN))


# A registry that cannot be found: say what to add, write nothing


def test_without_include_router_lines_says_what_to_add_by_hand(root: Path) -> None:
    main = root / MAIN
    text = "".join(
        line for line in main.read_text().splitlines(True) if "include_router(" not in line
    )
    main.write_text(text, encoding="utf-8")
    before = snapshot(root)

    with pytest.raises(AnchorNotFoundError) as raised:
        add_endpoint("score", project=root)

    message = str(raised.value)
    assert "from app.routers import score" in message
    assert "app.include_router(score.router)" in message
    assert snapshot(root) == before
    assert not (root / "app/routers/score.py").exists()


def test_without_the_exit_stack_says_what_to_add_by_hand(root: Path) -> None:
    main = root / MAIN
    text = re.sub(
        r"    async with AsyncExitStack\(\) as services:\n(?:        .*\n)+",
        "    yield\n",
        main.read_text(encoding="utf-8"),
    )
    assert "AsyncExitStack()" not in text
    main.write_text(text, encoding="utf-8")
    before = snapshot(root)

    with pytest.raises(AnchorNotFoundError) as raised:
        add_endpoint("telemetry", udp=True, port=9999, project=root)

    message = str(raised.value)
    assert "from app.listeners import telemetry" in message
    assert "await services.enter_async_context(telemetry.serve())" in message
    assert snapshot(root) == before
    assert not (root / "app/listeners").exists()


def test_a_main_that_does_not_parse_is_an_error(root: Path) -> None:
    main = root / MAIN
    main.write_text(read(root, MAIN) + "def broken(:\n", encoding="utf-8")
    before = snapshot(root)

    with pytest.raises(FastmlError, match="does not parse"):
        add_endpoint("score", project=root)

    assert snapshot(root) == before


# remove_endpoint: the exact undo


@pytest.mark.parametrize("kind", KINDS)
def test_remove_gives_back_the_original_tree(root: Path, kind: str) -> None:
    original = snapshot(root)
    add_endpoint("things", project=root, **KINDS[kind])

    result = remove_endpoint("things", project=root)

    assert snapshot(root) == original
    assert set(actions(result).values()) == {Action.REMOVE, Action.SUBTRACT}
    assert not (root / "app/repositories").exists()
    assert not (root / "app/listeners").exists()


def add_one_of_each(root: Path) -> list[str]:
    add_endpoint("score", project=root)
    add_endpoint("lookup", method="GET", project=root)
    add_endpoint("items", crud=True, project=root)
    add_endpoint("telemetry", udp=True, port=9999, project=root)
    add_endpoint("beacon", udp=True, port=9998, project=root)
    add_endpoint("tune", method="PATCH", path="/models/{model_id}/tune", project=root)
    return ["score", "lookup", "items", "telemetry", "beacon", "tune"]


def test_remove_in_reverse_order_gives_back_the_original_tree(root: Path) -> None:
    original = snapshot(root)
    names = add_one_of_each(root)

    for name in reversed(names):
        remove_endpoint(name, project=root)

    assert snapshot(root) == original


def test_remove_in_the_same_order_gives_back_the_original_tree(root: Path) -> None:
    original = snapshot(root)
    names = add_one_of_each(root)

    for name in names:
        remove_endpoint(name, project=root)

    assert snapshot(root) == original


def test_remove_of_one_leaves_the_others_as_if_it_was_never_added(
    root: Path, rendered: Path, tmp_path: Path
) -> None:
    add_endpoint("score", project=root)
    add_endpoint("items", crud=True, project=root)
    add_endpoint("telemetry", udp=True, port=9999, project=root)
    other = Path(shutil.copytree(rendered, tmp_path / "other"))
    add_endpoint("score", project=other)
    add_endpoint("telemetry", udp=True, port=9999, project=other)

    remove_endpoint("items", project=root)

    assert snapshot(root) == snapshot(other)


def test_remove_gives_back_an_import_that_add_wrapped(root: Path) -> None:
    original = snapshot(root)
    add_endpoint(long_name("first_"), project=root)
    add_endpoint(long_name("second_"), project=root)
    assert routers_import(root).startswith("from app.routers import (\n")

    remove_endpoint(long_name("second_"), project=root)
    remove_endpoint(long_name("first_"), project=root)

    assert snapshot(root) == original


def test_remove_with_dry_run_writes_nothing(root: Path) -> None:
    add_endpoint("items", crud=True, project=root)
    before = snapshot(root)

    result = remove_endpoint("items", project=root, dry_run=True)

    assert snapshot(root) == before
    assert result.dry_run
    assert actions(result) == {
        "app/repositories/items.py": Action.REMOVE,
        "app/routers/items.py": Action.REMOVE,
        "tests/test_items.py": Action.REMOVE,
        "app/repositories/__init__.py": Action.REMOVE,
        MAIN: Action.SUBTRACT,
        ANSWERS: Action.SUBTRACT,
    }


def test_remove_of_a_file_the_user_changed_is_a_conflict(root: Path) -> None:
    add_endpoint("score", project=root)
    router = root / "app/routers/score.py"
    router.write_text(read(root, "app/routers/score.py") + "# my logic\n", encoding="utf-8")
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"app/routers/score\.py was changed.*--force"):
        remove_endpoint("score", project=root)

    assert snapshot(root) == before


def test_remove_with_force_removes_a_file_the_user_changed(root: Path) -> None:
    original = snapshot(root)
    add_endpoint("score", project=root)
    router = root / "app/routers/score.py"
    router.write_text(read(root, "app/routers/score.py") + "# my logic\n", encoding="utf-8")

    remove_endpoint("score", project=root, on_conflict=OnConflict.FORCE)

    assert snapshot(root) == original


def test_remove_of_a_file_already_gone_skips_it(root: Path) -> None:
    original = snapshot(root)
    add_endpoint("score", project=root)
    (root / "tests/test_score.py").unlink()

    result = remove_endpoint("score", project=root)

    assert actions(result)["tests/test_score.py"] is Action.SKIP
    assert snapshot(root) == original


def test_remove_of_a_name_never_added_lists_what_was_made(root: Path) -> None:
    add_endpoint("score", project=root)
    add_endpoint("items", crud=True, project=root)
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"No endpoint 'health'.*\(made: items, score\)"):
        remove_endpoint("health", project=root)

    assert snapshot(root) == before


def test_remove_in_a_project_without_endpoints_says_none_were_made(root: Path) -> None:
    with pytest.raises(FastmlError, match=r"\(made: none\)"):
        remove_endpoint("score", project=root)


def test_remove_deletes_the_bytecode_of_the_removed_module(root: Path) -> None:
    add_endpoint("score", project=root)
    cache = root / "app/routers/__pycache__"
    cache.mkdir()
    (cache / "score.cpython-311.pyc").write_bytes(b"compiled")
    (cache / "health.cpython-311.pyc").write_bytes(b"compiled")

    remove_endpoint("score", project=root)

    assert sorted(path.name for path in cache.iterdir()) == ["health.cpython-311.pyc"]


def test_remove_deletes_a_package_whose_bytecode_was_all_it_had_left(root: Path) -> None:
    original = snapshot(root)
    add_endpoint("telemetry", udp=True, port=9999, project=root)
    for package, module in (("app/listeners", "telemetry"), ("app/listeners", "__init__")):
        cache = root / package / "__pycache__"
        cache.mkdir(exist_ok=True)
        (cache / f"{module}.cpython-311.pyc").write_bytes(b"compiled")
    (root / "tests/__pycache__").mkdir()
    (root / "tests/__pycache__/test_telemetry.cpython-311-pytest-8.3.2.pyc").write_bytes(b"x")

    remove_endpoint("telemetry", project=root)

    assert not (root / "app/listeners").exists()
    assert not (root / "tests/__pycache__").exists()
    assert snapshot(root) == original


def test_remove_keeps_a_package_that_has_a_module_of_the_users(root: Path) -> None:
    add_endpoint("telemetry", udp=True, port=9999, project=root)
    (root / "app/listeners/mine.py").write_text('"""Mine."""\n', encoding="utf-8")

    result = remove_endpoint("telemetry", project=root)

    assert "app/listeners/__init__.py" not in actions(result)
    assert (root / "app/listeners/__init__.py").is_file()
    assert (root / "app/listeners/mine.py").is_file()


def test_remove_from_a_nested_folder_finds_the_project_root(root: Path) -> None:
    original = snapshot(root)
    add_endpoint("score", project=root)

    remove_endpoint("score", project=root / "tests")

    assert snapshot(root) == original


def test_remove_takes_the_name_as_it_was_given_or_as_its_module(root: Path) -> None:
    original = snapshot(root)
    add_endpoint("Batch Score", project=root)

    remove_endpoint("batch-score", project=root)

    assert snapshot(root) == original


def test_a_file_where_a_package_of_the_endpoint_goes_stops_before_writing(root: Path) -> None:
    (root / "app" / "listeners").write_text("not a package\n")
    before = snapshot(root)

    with pytest.raises(FastmlError, match=r"listeners is a file where a folder goes"):
        add_endpoint("feed", udp=True, port=9999, project=root)

    assert snapshot(root) == before


@pytest.mark.parametrize("name", ["model", "health", "config"])
def test_a_name_the_project_uses_suggests_another_name_and_path(root: Path, name: str) -> None:
    before = snapshot(root)

    with pytest.raises(FastmlError, match=rf"choose another name; to keep the URL /{name}, add"):
        add_endpoint(name, project=root)

    assert snapshot(root) == before
    add_endpoint(f"{name}_api", path=f"/{name}", project=root)


def test_remove_with_skip_keeps_a_changed_file_and_unwires_the_endpoint(root: Path) -> None:
    add_endpoint("score", project=root)
    router = root / "app" / "routers" / "score.py"
    router.write_text(router.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")

    remove_endpoint("score", project=root, on_conflict=OnConflict.SKIP)

    assert router.read_text(encoding="utf-8").endswith("# mine\n")
    assert "score" not in main_lines(root)
    assert not (root / "tests" / "test_score.py").exists()


def test_an_endpoint_cannot_change_kind_even_with_force(root: Path) -> None:
    add_endpoint("things", crud=True, project=root)
    before = snapshot(root)

    with pytest.raises(FastmlError, match="already a resource endpoint: remove it first"):
        add_endpoint("things", method="GET", project=root, on_conflict=OnConflict.FORCE)

    assert snapshot(root) == before


@pytest.mark.parametrize("name", ["str", "dict", "tuple", "len", "list"])
def test_a_builtin_name_is_refused_with_another_name_and_path(root: Path, name: str) -> None:
    with pytest.raises(InvalidNameError, match=rf"built-in {name}\(\).*--path /{name}"):
        add_endpoint(name, project=root)
