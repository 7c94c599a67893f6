"""endpoints.register and endpoints.unregister on the app/main.py a project really has.

The main.py is the one ``fastml new`` renders, edited as its owner might leave it (other
line endings, tabs, odd characters, more functions), or the shape older projects had. Each
edit goes where ``create_app`` and its lifespan register things, and ``unregister`` after
``register`` gives back the original text byte for byte.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from fastml_scaffold.endpoints import (
    AnchorNotFoundError,
    EndpointSpec,
    Registration,
    register,
    registration,
    unregister,
)

ROUTE = registration(EndpointSpec("score", "route", method="POST"))
LISTENER = registration(EndpointSpec("telemetry", "listener", port=9999))
REGISTRATIONS = {"route": ROUTE, "listener": LISTENER}

# The shape of main.py before the lifespan moved into create_app.
OLD_FACTORY = """\
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from app.routers import health, predict


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with AsyncExitStack() as services:
        yield


def create_app() -> FastAPI:
    app = FastAPI(title="Iris Service", lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(predict.router)
    return app


app = create_app()
"""

# The shape of the first projects: the app made at module level.
MODULE_LEVEL_APP = """\
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from app.routers import health, predict


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with AsyncExitStack() as services:
        yield


app = FastAPI(title="Iris Service", lifespan=lifespan)
app.include_router(health.router)
app.include_router(predict.router)
"""


@pytest.fixture(scope="module")
def main_text(project: Path) -> str:
    """app/main.py as `fastml new "Iris Service" --no-input` renders it."""
    return (project / "app/main.py").read_bytes().decode("utf-8")


def round_trip(text: str, reg: Registration) -> str:
    """``text`` with ``reg`` registered; checks that it parses and that unregister undoes it."""
    added = register(text, reg, 88)
    ast.parse(added)
    assert added != text
    assert unregister(added, reg, 88) == text
    return added


def added_lines(before: str, after: str) -> list[str]:
    """The lines of ``after`` that ``before`` does not have, with their line breaks."""
    old = re.findall(r".*?(?:\r\n|\n|\Z)", before)
    return [line for line in re.findall(r".*?(?:\r\n|\n|\Z)", after) if line not in old]


def line_after(text: str, code: str) -> str:
    """The line that follows the line holding ``code``, without its line break."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if code in line)
    return lines[at + 1].rstrip("\r")


def line_before(text: str, code: str) -> str:
    """The line that precedes the line holding ``code``, without its line break."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if code in line)
    return lines[at - 1].rstrip("\r")


def registered_where_expected(added: str, reg: Registration, indent: str = "    ") -> None:
    """The route after the last include of create_app, the listener before the yield."""
    if reg is ROUTE:
        assert line_after(added, "app.include_router(predict.router)") == (
            f"{indent}app.include_router(score.router)"
        )
    else:
        assert line_before(added, "yield {") == (
            f"{indent * 3}await services.enter_async_context(telemetry.serve())"
        )


# Characters that str.splitlines() takes for line breaks and Python does not


ODD_CHARACTERS: dict[str, Callable[[str], str]] = {
    "form feed line before create_app": lambda text: text.replace(
        "\n\ndef create_app", "\n\f\ndef create_app"
    ),
    "form feed in a comment": lambda text: text.replace(
        "# The router registry:", "# The router\f registry:"
    ),
    "vertical tab in a comment": lambda text: text.replace(
        "# The router registry:", "# The router\v registry:"
    ),
    "U+2028 in a string": lambda text: text.replace(
        'title="Iris Service"', 'title="Iris\u2028Service"'
    ),
    "U+2028 in a comment": lambda text: text.replace(
        "# The router registry:", "# The router\u2028registry:"
    ),
    "U+2029 and U+0085 in a docstring": lambda text: text.replace(
        "builds it;", "builds\u2029it\x85;"
    ),
    "file separator in a comment": lambda text: text.replace(
        "# The router registry:", "# The router\x1c\x1d\x1eregistry:"
    ),
}


@pytest.mark.parametrize("kind", REGISTRATIONS)
@pytest.mark.parametrize("edit", ODD_CHARACTERS.values(), ids=ODD_CHARACTERS)
def test_odd_characters_do_not_shift_the_lines_edited(
    main_text: str, edit: Callable[[str], str], kind: str
) -> None:
    text = edit(main_text)
    assert text != main_text
    reg = REGISTRATIONS[kind]

    added = round_trip(text, reg)

    registered_where_expected(added, reg)
    assert len(added_lines(text, added)) == 2  # the import's line, and the statement


# Line endings, final newline, the owner's import


@pytest.mark.parametrize("kind", REGISTRATIONS)
def test_a_crlf_main_stays_crlf(main_text: str, kind: str) -> None:
    text = main_text.replace("\n", "\r\n")
    reg = REGISTRATIONS[kind]

    added = round_trip(text, reg)

    assert added.count("\n") == added.count("\r\n")
    registered_where_expected(added, reg)


@pytest.mark.parametrize("kind", REGISTRATIONS)
def test_a_main_without_a_final_newline_keeps_none(main_text: str, kind: str) -> None:
    text = main_text.rstrip("\n")

    added = round_trip(text, REGISTRATIONS[kind])

    assert added.endswith("app = create_app()")


@pytest.mark.parametrize("text", [MODULE_LEVEL_APP, MODULE_LEVEL_APP.replace("\n", "\r\n")])
def test_an_include_on_a_last_line_without_a_newline_keeps_none(text: str) -> None:
    text = text.rstrip("\r\n")

    added = round_trip(text, ROUTE)

    newline = "\r\n" if "\r\n" in text else "\n"
    assert added.endswith(f"(predict.router){newline}app.include_router(score.router)")


def test_an_import_wrapped_with_a_trailing_comma_stays_wrapped(main_text: str) -> None:
    text = main_text.replace(
        "from app.routers import health, index, predict\n",
        "from app.routers import (\n    health,  # probes\n    index,\n    predict,\n)\n",
    )
    assert text != main_text

    added = round_trip(text, ROUTE)

    assert "    predict,\n    score,\n)\n" in added


def test_a_crlf_import_wrapped_with_a_trailing_comma_stays_wrapped(main_text: str) -> None:
    text = main_text.replace(
        "from app.routers import health, index, predict\n",
        "from app.routers import (\n    health,\n    index,\n    predict,\n)\n",
    )
    assert text != main_text
    text = text.replace("\n", "\r\n")

    added = round_trip(text, ROUTE)

    assert "    predict,\r\n    score,\r\n)\r\n" in added


def test_an_import_comment_keeps_its_spacing(main_text: str) -> None:
    text = main_text.replace(
        "from app.routers import health, index, predict\n",
        "from app.routers import health, index, predict # the routers\n",
    )
    assert text != main_text

    added = round_trip(text, ROUTE)

    assert "from app.routers import health, index, predict, score # the routers\n" in added


# Tabs


def with_tabs(text: str) -> str:
    return re.sub(r"^(?:    )+", lambda found: "\t" * (len(found.group()) // 4), text, flags=re.M)


@pytest.mark.parametrize("kind", REGISTRATIONS)
def test_a_main_indented_with_tabs_takes_tabs(main_text: str, kind: str) -> None:
    text = with_tabs(main_text)
    ast.parse(text)
    reg = REGISTRATIONS[kind]

    added = round_trip(text, reg)

    registered_where_expected(added, reg, indent="\t")


# Only the app factory and its lifespan take the lines


HELPER_AFTER_THE_FACTORY = '''

def add_debug_routes(app: FastAPI) -> None:
    """Routes for a developer's machine; create_app does not call this."""
    app.include_router(predict.router, prefix="/debug")


async def warm_up(app: FastAPI) -> None:
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(ModelRunner(app.state.model, Settings()))
        yield
'''


@pytest.mark.parametrize("kind", REGISTRATIONS)
def test_other_functions_after_the_factory_are_left_alone(main_text: str, kind: str) -> None:
    text = main_text + HELPER_AFTER_THE_FACTORY
    reg = REGISTRATIONS[kind]

    added = round_trip(text, reg)

    registered_where_expected(added, reg)
    assert added.endswith(HELPER_AFTER_THE_FACTORY)


@pytest.mark.parametrize("text", [OLD_FACTORY, MODULE_LEVEL_APP], ids=["old", "module-level"])
@pytest.mark.parametrize("kind", REGISTRATIONS)
def test_older_projects_take_the_lines_where_they_register(text: str, kind: str) -> None:
    reg = REGISTRATIONS[kind]
    text = text + HELPER_AFTER_THE_FACTORY

    added = round_trip(text, reg)

    [import_line, statement] = added_lines(text, added)
    assert import_line.startswith("from app.")
    if reg is ROUTE:
        assert statement.strip() == "app.include_router(score.router)"
        assert line_before(added, "score.router)").endswith("app.include_router(predict.router)")
    else:
        assert statement == "        await services.enter_async_context(telemetry.serve())\n"
        assert line_after(added, "telemetry.serve()") == "        yield"


def test_routers_included_only_outside_the_factory_are_an_anchor_not_found(
    main_text: str,
) -> None:
    text = main_text.replace(
        "    app.include_router(index.router)\n"
        "    app.include_router(health.router)  # open to all: probes send no key\n"
        "    app.include_router(predict.router)\n",
        "    add_routers(app)\n",
    ) + (
        "\n\ndef add_routers(app: FastAPI) -> None:\n"
        "    app.include_router(index.router)\n"
        "    app.include_router(health.router)\n"
        "    app.include_router(predict.router)\n"
    )

    with pytest.raises(AnchorNotFoundError) as raised:
        register(text, ROUTE, 88)

    assert "app.include_router(score.router)" in str(raised.value)


def test_lines_added_by_hand_after_an_anchor_not_found_are_accepted(main_text: str) -> None:
    text = main_text.replace(
        "    app.include_router(index.router)\n"
        "    app.include_router(health.router)  # open to all: probes send no key\n"
        "    app.include_router(predict.router)\n",
        "    add_routers(app)\n",
    ).replace("health, index, predict", "health, index, predict, score") + (
        "\n\ndef add_routers(app: FastAPI) -> None:\n"
        "    app.include_router(index.router)\n"
        "    app.include_router(health.router)\n"
        "    app.include_router(predict.router)\n"
        "    app.include_router(score.router)\n"
    )

    assert register(text, ROUTE, 88) == text


def test_an_exit_stack_outside_the_lifespan_is_an_anchor_not_found(main_text: str) -> None:
    text = re.sub(
        r"        async with AsyncExitStack\(\) as services:\n(?:            .*\n)+",
        "        yield {}\n",
        main_text,
    )
    text += HELPER_AFTER_THE_FACTORY

    with pytest.raises(AnchorNotFoundError) as raised:
        register(text, LISTENER, 88)

    assert "await services.enter_async_context(telemetry.serve())" in str(raised.value)


def test_a_factory_made_in_two_places_is_an_anchor_not_found(main_text: str) -> None:
    text = main_text + "\n\nadmin = FastAPI()\nadmin.include_router(health.router)\n"

    with pytest.raises(AnchorNotFoundError, match="FastAPI"):
        register(text, ROUTE, 88)


# Never return code that does not parse, never take the owner's code out with ours


def test_a_removal_that_would_empty_a_block_is_an_error(main_text: str) -> None:
    text = main_text.replace("health, index, predict", "health, index, predict, score").replace(
        "    return app\n",
        "    if settings.debug:\n        app.include_router(score.router)\n    return app\n",
    )
    assert "import health, index, predict, score\n" in text

    with pytest.raises(AnchorNotFoundError) as raised:
        unregister(text, ROUTE, 88)

    assert "app.include_router(score.router)" in str(raised.value)


def test_a_removal_never_takes_other_code_on_the_same_line(main_text: str) -> None:
    text = main_text.replace("health, index, predict", "health, index, predict, score").replace(
        "    app.include_router(predict.router)\n",
        "    app.include_router(predict.router); app.include_router(score.router)\n",
    )
    assert "import health, index, predict, score\n" in text

    with pytest.raises(AnchorNotFoundError):
        unregister(text, ROUTE, 88)


def test_an_anchor_sharing_its_line_is_an_anchor_not_found(main_text: str) -> None:
    text = main_text.replace(
        "    app.include_router(predict.router)\n    return app\n",
        "    app.include_router(predict.router); return app\n",
    )

    with pytest.raises(AnchorNotFoundError):
        register(text, ROUTE, 88)


def test_a_main_that_does_not_parse_cannot_be_unregistered(main_text: str) -> None:
    with pytest.raises(AnchorNotFoundError, match="does not parse"):
        unregister(main_text + "def broken(:\n", ROUTE, 88)
