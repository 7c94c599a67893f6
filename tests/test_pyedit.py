"""Unit tests of fastml_scaffold.pyedit: imports and statements edited as ruff would write them.

Each expected text is also checked against the real ruff of the test environment: its isort
(``check --select I``) and its formatter must find nothing to change in an edited module.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support import TOOLS

from fastml_scaffold import pyedit
from fastml_scaffold.pyedit import AnchorNotFound

RUFF = TOOLS / "ruff"

IMPORTS = """\
import logging

from fastapi import FastAPI

from app import SUMMARY
from app.config import Settings, get_settings
from app.model import IrisModel
from app.routers import health, predict
"""

FACTORY = """\
def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(health.router)
    app.include_router(predict.router)
    return app
"""

LIFESPAN = """\
async def lifespan(app):
    async with AsyncExitStack() as services:
        services.callback(print)
        yield
"""


def assert_ruff_clean(text: str, tmp_path: Path, line_length: int = 88) -> None:
    """ruff's isort and formatter would leave ``text`` exactly as it is."""
    module = tmp_path / "module.py"
    module.write_text(text, encoding="utf-8")
    settings = [
        "--isolated",
        "--no-cache",
        "--line-length",
        str(line_length),
        "--config",
        "lint.isort.known-first-party = ['app']",
    ]
    for command in (["check", "--select", "I", "--diff"], ["format", "--diff"]):
        process = subprocess.run(
            [str(RUFF), *command, *settings, str(module)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )

        assert process.returncode == 0, process.stdout + process.stderr
        assert process.stdout == "", process.stdout


def route_call(code: str) -> ast.stmt:
    return ast.parse(code).body[0]


def is_include_of(argument: str) -> Callable[[ast.stmt], bool]:
    def matches(node: ast.stmt) -> bool:
        return pyedit.first_argument_is(pyedit.method_call(node, "include_router"), argument)

    return matches


def predict_include(tree: ast.Module) -> tuple[ast.stmt, bool]:
    """Anchor: after the statement that includes ``predict.router``."""
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    return next(node for node in function.body if is_include_of("predict.router")(node)), True


def the_yield(tree: ast.Module) -> tuple[ast.stmt, bool]:
    """Anchor: before the first bare ``yield``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Yield):
            return node, False
    raise AnchorNotFound("no yield")


# add_from_import: into an existing statement


def test_add_from_import_inserts_the_name_in_sorted_order(tmp_path: Path) -> None:
    text = "from app.routers import health, predict\n"

    edited = pyedit.add_from_import(text, "app.routers", "items", line_length=88)

    assert edited == "from app.routers import health, items, predict\n"
    assert_ruff_clean(edited, tmp_path)


def test_add_from_import_appends_a_name_that_sorts_last(tmp_path: Path) -> None:
    edited = pyedit.add_from_import(IMPORTS, "app.routers", "score", line_length=88)

    assert edited == IMPORTS.replace("health, predict", "health, predict, score")
    assert_ruff_clean(edited, tmp_path)


def test_add_from_import_twice_returns_the_same_text() -> None:
    once = pyedit.add_from_import(IMPORTS, "app.routers", "score", line_length=88)

    twice = pyedit.add_from_import(once, "app.routers", "score", line_length=88)

    assert twice == once


def test_add_from_import_of_a_name_already_there_returns_the_text_unchanged() -> None:
    edited = pyedit.add_from_import(IMPORTS, "app.routers", "health", line_length=88)

    assert edited is IMPORTS


def test_add_from_import_keeps_a_magic_trailing_comma_multi_line(tmp_path: Path) -> None:
    text = "from app.routers import (\n    health,\n    predict,\n)\n"

    edited = pyedit.add_from_import(text, "app.routers", "score", line_length=88)

    assert edited == "from app.routers import (\n    health,\n    predict,\n    score,\n)\n"
    assert_ruff_clean(edited, tmp_path)


@pytest.mark.parametrize(
    "statement",
    [
        "from app.routers import (\n    health,\n    predict\n)\n",
        "from app.routers import (  # routers\n    health,  # probes\n    predict  # model\n)\n",
        "from app.routers import (health,\n    predict)\n",
        "from app.routers import predict, health\n",
        "from app.routers import health, \\\n    predict\n",
        "from app.routers import (health, predict,)\n",
    ],
    ids=["no-trailing-comma", "comments", "hanging", "unsorted", "backslash", "inline-comma"],
)
def test_an_import_the_owner_wrote_their_own_way_is_left_as_it_is(statement: str) -> None:
    edited = pyedit.add_from_import(statement, "app.routers", "score", line_length=88)

    assert edited == statement + "from app.routers import score\n"
    assert pyedit.remove_from_import(edited, "app.routers", "score", line_length=88) == statement


def test_add_from_import_wraps_a_line_that_would_be_too_long(tmp_path: Path) -> None:
    text = "from app.routers import health, predict\n"

    edited = pyedit.add_from_import(text, "app.routers", "batch_scoring", line_length=50)

    assert edited == (
        "from app.routers import (\n    batch_scoring,\n    health,\n    predict,\n)\n"
    )
    assert_ruff_clean(edited, tmp_path, line_length=50)


def test_add_from_import_keeps_a_line_of_exactly_line_length_on_one_line(
    tmp_path: Path,
) -> None:
    text = "from app.routers import health, predict\n"
    expected = "from app.routers import health, predict, score\n"
    width = len(expected) - 1

    edited = pyedit.add_from_import(text, "app.routers", "score", line_length=width)
    wrapped = pyedit.add_from_import(text, "app.routers", "score", line_length=width - 1)

    assert edited == expected
    assert wrapped.startswith("from app.routers import (\n")
    assert_ruff_clean(edited, tmp_path, line_length=width)


def test_add_from_import_leaves_the_rest_of_the_module_alone(tmp_path: Path) -> None:
    text = IMPORTS + "\n\n" + FACTORY

    edited = pyedit.add_from_import(text, "app.routers", "score", line_length=88)

    assert edited == text.replace("health, predict\n", "health, predict, score\n")
    assert_ruff_clean(edited, tmp_path)


# add_from_import: a new statement


def test_add_from_import_creates_a_statement_between_config_and_model(tmp_path: Path) -> None:
    edited = pyedit.add_from_import(IMPORTS, "app.listeners", "telemetry", line_length=88)

    assert edited == IMPORTS.replace(
        "from app.model import", "from app.listeners import telemetry\nfrom app.model import"
    )
    assert_ruff_clean(edited, tmp_path)


def test_add_from_import_creates_a_statement_before_every_sibling_that_sorts_after(
    tmp_path: Path,
) -> None:
    text = "from fastapi import FastAPI\n\nfrom app.model import IrisModel\n"

    edited = pyedit.add_from_import(text, "app.listeners", "telemetry", line_length=88)

    assert edited == (
        "from fastapi import FastAPI\n\n"
        "from app.listeners import telemetry\n"
        "from app.model import IrisModel\n"
    )
    assert_ruff_clean(edited, tmp_path)


def test_add_from_import_creates_a_statement_after_every_sibling_that_sorts_before(
    tmp_path: Path,
) -> None:
    text = "from app import SUMMARY\nfrom app.config import Settings\n\nx = 1\n"

    edited = pyedit.add_from_import(text, "app.routers", "score", line_length=88)

    assert edited == (
        "from app import SUMMARY\n"
        "from app.config import Settings\n"
        "from app.routers import score\n\n"
        "x = 1\n"
    )
    assert_ruff_clean(edited, tmp_path)


def test_add_from_import_twice_creates_one_statement() -> None:
    once = pyedit.add_from_import(IMPORTS, "app.listeners", "telemetry", line_length=88)

    twice = pyedit.add_from_import(once, "app.listeners", "telemetry", line_length=88)

    assert twice == once
    assert twice.count("from app.listeners import") == 1


def test_add_from_import_without_any_app_import_raises_anchor_not_found() -> None:
    text = "import logging\n\nfrom fastapi import FastAPI\n"

    with pytest.raises(AnchorNotFound, match="from app"):
        pyedit.add_from_import(text, "app.listeners", "telemetry", line_length=88)


def test_add_from_import_ignores_a_relative_import_of_the_same_name() -> None:
    text = "from .routers import health\n"

    with pytest.raises(AnchorNotFound):
        pyedit.add_from_import(text, "app.routers", "score", line_length=88)


def test_add_from_import_keeps_a_trailing_comment(tmp_path: Path) -> None:
    text = "from app.routers import health, predict  # the routers\n"

    edited = pyedit.add_from_import(text, "app.routers", "score", line_length=88)

    assert edited == "from app.routers import health, predict, score  # the routers\n"
    assert_ruff_clean(edited, tmp_path)


# remove_from_import


def test_remove_from_import_drops_the_name(tmp_path: Path) -> None:
    text = IMPORTS.replace("health, predict", "health, predict, score")

    edited = pyedit.remove_from_import(text, "app.routers", "score", line_length=88)

    assert edited == IMPORTS
    assert_ruff_clean(edited, tmp_path)


def test_remove_from_import_drops_the_statement_of_its_last_name(tmp_path: Path) -> None:
    added = pyedit.add_from_import(IMPORTS, "app.listeners", "telemetry", line_length=88)

    edited = pyedit.remove_from_import(added, "app.listeners", "telemetry", line_length=88)

    assert edited == IMPORTS
    assert_ruff_clean(edited, tmp_path)


def test_remove_from_import_of_an_absent_name_is_a_no_op() -> None:
    edited = pyedit.remove_from_import(IMPORTS, "app.routers", "score", line_length=88)

    assert edited == IMPORTS


def test_remove_from_import_of_an_absent_module_is_a_no_op() -> None:
    edited = pyedit.remove_from_import(IMPORTS, "app.listeners", "telemetry", line_length=88)

    assert edited == IMPORTS


def test_remove_from_import_puts_what_fits_back_on_one_line(tmp_path: Path) -> None:
    text = "from app.routers import (\n    health,\n    predict,\n    score,\n)\n"

    edited = pyedit.remove_from_import(text, "app.routers", "score", line_length=44)

    # The exact undo of an add that had to wrap the statement: the three names overflow
    # 44 columns, the two fit.  Ruff accepts either form.
    assert edited == "from app.routers import health, predict\n"
    assert_ruff_clean(edited, tmp_path, line_length=44)


def test_remove_from_import_keeps_the_owners_trailing_comma(tmp_path: Path) -> None:
    text = "from app.routers import (\n    health,\n    predict,\n    score,\n)\n"

    edited = pyedit.remove_from_import(text, "app.routers", "score", line_length=88)

    # All three would fit on one line: the owner wrapped it, and wants it wrapped.
    assert edited == "from app.routers import (\n    health,\n    predict,\n)\n"
    assert_ruff_clean(edited, tmp_path)


@pytest.mark.parametrize("width", [88, 50], ids=["owner-wrapped", "wrapped-by-add"])
def test_remove_from_import_undoes_an_add_to_a_wrapped_import(width: int) -> None:
    text = "from app.routers import (\n    health,  # probes\n    predict,\n)\n"
    if width == 50:
        text = "from app.routers import health, predict  # routers\n"

    added = pyedit.add_from_import(text, "app.routers", "batch_scoring", line_length=width)

    assert "    batch_scoring,\n" in added
    assert pyedit.remove_from_import(added, "app.routers", "batch_scoring", line_length=width) == (
        text
    )


def test_add_from_import_keeps_comments_inside_a_wrapped_import(tmp_path: Path) -> None:
    text = "from app.routers import (  # ours\n    health,  # probes\n    predict,\n)\n"

    edited = pyedit.add_from_import(text, "app.routers", "items", line_length=88)

    assert edited == (
        "from app.routers import (  # ours\n    health,  # probes\n    items,\n    predict,\n)\n"
    )
    assert_ruff_clean(edited, tmp_path)


def test_remove_from_import_undoes_add_from_import() -> None:
    added = pyedit.add_from_import(IMPORTS, "app.routers", "items", line_length=88)

    removed = pyedit.remove_from_import(added, "app.routers", "items", line_length=88)

    assert removed == IMPORTS


# add_statement and remove_statements


def test_add_statement_goes_after_its_anchor_at_its_indentation(tmp_path: Path) -> None:
    edited = pyedit.add_statement(
        FACTORY,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=predict_include,
    )

    assert edited == FACTORY.replace(
        "    app.include_router(predict.router)\n",
        "    app.include_router(predict.router)\n    app.include_router(score.router)\n",
    )
    assert_ruff_clean(edited, tmp_path)


def test_add_statement_goes_before_its_anchor_at_its_indentation(tmp_path: Path) -> None:
    edited = pyedit.add_statement(
        LIFESPAN,
        "await services.enter_async_context(telemetry.serve())",
        present=lambda node: False,
        anchor=the_yield,
    )

    assert edited == LIFESPAN.replace(
        "        yield\n",
        "        await services.enter_async_context(telemetry.serve())\n        yield\n",
    )
    assert_ruff_clean(edited, tmp_path)


def test_add_statement_after_a_multi_line_anchor_goes_after_its_last_line() -> None:
    text = FACTORY.replace(
        "app.include_router(predict.router)", "app.include_router(\n        predict.router,\n    )"
    )

    edited = pyedit.add_statement(
        text,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=predict_include,
    )

    assert "        predict.router,\n    )\n    app.include_router(score.router)\n" in edited


def test_add_statement_already_present_returns_the_text_unchanged() -> None:
    text = FACTORY.replace(
        "    return app", "    app.include_router(\n        score.router\n    )\n    return app"
    )

    edited = pyedit.add_statement(
        text,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=predict_include,
    )

    assert edited == text


def test_add_statement_propagates_a_missing_anchor() -> None:
    with pytest.raises(AnchorNotFound):
        pyedit.add_statement(
            "x = 1\n",
            "app.include_router(score.router)",
            present=lambda node: False,
            anchor=the_yield,
        )


def test_add_statement_after_a_last_line_without_a_newline() -> None:
    text = "app = FastAPI()\napp.include_router(predict.router)"

    edited = pyedit.add_statement(
        text,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=lambda tree: (tree.body[-1], True),
    )

    ast.parse(edited)  # raises SyntaxError when the statements ran together
    # Still without a final newline: the file keeps its own ending.
    assert edited.endswith("(predict.router)\napp.include_router(score.router)")
    assert pyedit.remove_statements(edited, matches=is_include_of("score.router")) == text


def test_remove_statements_undoes_add_statement() -> None:
    added = pyedit.add_statement(
        FACTORY,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=predict_include,
    )

    removed = pyedit.remove_statements(added, matches=is_include_of("score.router"))

    assert removed == FACTORY


def test_remove_statements_removes_every_line_of_a_multi_line_statement() -> None:
    text = FACTORY.replace(
        "    return app", "    app.include_router(\n        score.router,\n    )\n    return app"
    )

    removed = pyedit.remove_statements(text, matches=is_include_of("score.router"))

    assert removed == FACTORY


def test_remove_statements_finds_an_awaited_call_in_a_nested_block() -> None:
    text = LIFESPAN.replace(
        "        yield",
        "        await services.enter_async_context(telemetry.serve())\n        yield",
    )

    def is_telemetry(node: ast.stmt) -> bool:
        call = pyedit.method_call(node, "enter_async_context")
        return pyedit.first_argument_is(call, "telemetry.serve()")

    removed = pyedit.remove_statements(text, matches=is_telemetry)

    assert removed == LIFESPAN


def test_remove_statements_without_a_match_is_a_no_op() -> None:
    removed = pyedit.remove_statements(FACTORY, matches=is_include_of("score.router"))

    assert removed == FACTORY


# Lines as Python counts them, line endings, indentation


ODD_LINE_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("character", ODD_LINE_BREAKS, ids=repr)
def test_characters_splitlines_breaks_at_do_not_shift_the_lines(character: str) -> None:
    text = f"# a comment{character}with more\n" + FACTORY

    added = pyedit.add_statement(
        text,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=predict_include,
    )

    assert added == text.replace(
        "(predict.router)\n", "(predict.router)\n    app.include_router(score.router)\n"
    )
    assert pyedit.remove_statements(added, matches=is_include_of("score.router")) == text


def test_a_form_feed_before_an_import_keeps_its_comment() -> None:
    text = "\f\nfrom app.routers import health  # routers\n"

    edited = pyedit.add_from_import(text, "app.routers", "score", line_length=88)

    assert edited == "\f\nfrom app.routers import health, score  # routers\n"


def test_a_comment_after_non_ascii_keeps_its_place() -> None:
    text = "from app.routers import health as здоровье  # routers\n"

    edited = pyedit.add_from_import(text, "app.routers", "score", line_length=88)

    assert edited == "from app.routers import health as здоровье, score  # routers\n"


def test_crlf_text_gets_crlf_lines() -> None:
    text = (IMPORTS + "\n\n" + FACTORY).replace("\n", "\r\n")

    imported = pyedit.add_from_import(text, "app.listeners", "telemetry", line_length=88)
    added = pyedit.add_statement(
        imported,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=lambda tree: (tree.body[-1].body[-2], True),  # type: ignore[attr-defined]
    )

    assert "from app.listeners import telemetry\r\n" in added
    assert "    app.include_router(score.router)\r\n" in added
    assert added.count("\n") == added.count("\r\n")
    removed = pyedit.remove_statements(added, matches=is_include_of("score.router"))
    assert pyedit.remove_from_import(removed, "app.listeners", "telemetry", line_length=88) == text


def test_add_statement_copies_the_anchors_tabs() -> None:
    text = FACTORY.replace("    ", "\t")

    added = pyedit.add_statement(
        text,
        "app.include_router(score.router)",
        present=is_include_of("score.router"),
        anchor=predict_include,
    )

    assert "\tapp.include_router(predict.router)\n\tapp.include_router(score.router)\n" in added
    assert pyedit.remove_statements(added, matches=is_include_of("score.router")) == text


def test_an_edit_that_would_not_parse_raises_anchor_not_found() -> None:
    text = "@decorator\ndef f():\n    pass\n"

    with pytest.raises(AnchorNotFound, match="not parse"):
        pyedit.add_statement(
            text,
            "app.include_router(score.router)",
            present=lambda node: False,
            anchor=lambda tree: (tree.body[0], False),  # between the decorator and its def
        )


def test_a_removal_that_would_not_parse_raises_anchor_not_found() -> None:
    text = "if debug:\n    app.include_router(score.router)\n"

    with pytest.raises(AnchorNotFound, match="not parse"):
        pyedit.remove_statements(text, matches=is_include_of("score.router"))


def test_an_anchor_that_shares_its_line_raises_anchor_not_found() -> None:
    text = "app.include_router(predict.router); x = 1\n"

    with pytest.raises(AnchorNotFound, match="other code"):
        pyedit.add_statement(
            text,
            "app.include_router(score.router)",
            present=is_include_of("score.router"),
            anchor=lambda tree: (tree.body[0], True),
        )


# Matching helpers


def test_method_call_sees_through_await() -> None:
    node = ast.parse("async def f():\n    await stack.enter_async_context(x.serve())\n")
    statement = node.body[0].body[0]  # type: ignore[attr-defined]

    call = pyedit.method_call(statement, "enter_async_context")

    assert call is not None
    assert pyedit.first_argument_is(call, "x.serve()")


def test_method_call_of_another_method_or_a_bare_function_is_none() -> None:
    assert pyedit.method_call(route_call("app.mount(x.router)"), "include_router") is None
    assert pyedit.method_call(route_call("include_router(x.router)"), "include_router") is None
    assert pyedit.method_call(route_call("y = app.include_router(x)"), "include_router") is None


def test_first_argument_is_compares_the_code_not_the_spacing() -> None:
    call = pyedit.method_call(
        route_call("app.include_router( score.router , prefix='/x')"), "include_router"
    )

    assert pyedit.first_argument_is(call, "score.router")
    assert not pyedit.first_argument_is(call, "score")
    assert not pyedit.first_argument_is(None, "score.router")


def test_top_level_names_lists_imports_definitions_and_assignments() -> None:
    tree = ast.parse(IMPORTS + "\n\n" + FACTORY + "\nlogger: object = None\nTAGS = []\n")

    names = pyedit.top_level_names(tree)

    assert {"logging", "FastAPI", "SUMMARY", "health", "predict", "create_app"} <= names
    assert {"logger", "TAGS"} <= names
    assert "app" not in names  # bound inside create_app only


# The order of imported names


def ruff_order(names: list[str], tmp_path: Path) -> list[str]:
    """The order in which ruff's isort writes ``names`` in one ``from ... import``."""
    module = tmp_path / "order.py"
    module.write_text(f"from m import {', '.join(names)}\n", encoding="utf-8")
    subprocess.run(
        [str(RUFF), "check", "--isolated", "--no-cache", "--select", "I", "--fix", str(module)],
        capture_output=True,
        check=False,
    )
    statement = ast.parse(module.read_text(encoding="utf-8")).body[0]
    assert isinstance(statement, ast.ImportFrom)
    return [alias.name for alias in statement.names]


def test_names_go_constants_then_classes_then_functions_and_modules() -> None:
    rendered = pyedit.render_from_import(
        "app.x", ["get_settings", "Settings", "SUMMARY", "health", "IrisModel"], 88, False
    )

    assert rendered == "from app.x import SUMMARY, IrisModel, Settings, get_settings, health\n"


@pytest.mark.parametrize(
    "names",
    [
        ["predict", "health", "score"],
        ["b", "A", "CONST", "Zeta", "alpha", "BETA"],
        ["get_settings", "Settings", "SUMMARY", "__version__"],
        ["Health", "health", "HEALTH", "h"],
        ["batch_score", "batch", "batchscore", "b_score"],
        pytest.param(
            ["v10", "v2", "v1"],
            id="digits",
        ),
        pytest.param(
            ["CONST", "_CONST"],
            id="underscore-constant",
        ),
        pytest.param(
            ["ab", "aB"],
            id="case-tie",
        ),
    ],
)
def test_names_are_in_the_order_ruff_writes_them(names: list[str], tmp_path: Path) -> None:
    expected = ruff_order(names, tmp_path)

    rendered = pyedit.render_from_import("m", names, 1000, False)

    assert rendered == f"from m import {', '.join(expected)}\n"


def test_render_from_import_drops_duplicate_names() -> None:
    rendered = pyedit.render_from_import("app.routers", ["score", "health", "score"], 88, False)

    assert rendered == "from app.routers import health, score\n"


def test_render_from_import_with_a_magic_comma_is_one_name_per_line() -> None:
    rendered = pyedit.render_from_import("app.routers", ["score", "health"], 88, True)

    assert rendered == "from app.routers import (\n    health,\n    score,\n)\n"
