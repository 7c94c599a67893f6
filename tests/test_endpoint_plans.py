"""add-endpoint and remove-endpoint on a project that `fastml new` made: the core cases.

Idempotence, dry runs, collisions, a registry reformatted or extended by hand, a missing
registry, and remove-after-add giving back the original tree, byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fastml_scaffold import new_project
from fastml_scaffold.commands.add_endpoint import add_endpoint
from fastml_scaffold.commands.remove_endpoint import remove_endpoint
from fastml_scaffold.endpoints import AnchorNotFoundError
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.plan import Action, OnConflict


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_project("Iris Service", output_dir=tmp_path_factory.mktemp("made")).project_dir


@pytest.fixture
def root(rendered: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "iris-service"
    shutil.copytree(rendered, copy)
    return copy


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def main_py(root: Path) -> str:
    return (root / "app" / "main.py").read_text()


def test_a_second_identical_run_changes_nothing(root: Path) -> None:
    add_endpoint("items", crud=True, project=root)
    before = snapshot(root)

    result = add_endpoint("items", crud=True, project=root)

    assert {change.action for change in result.changes} <= {Action.IDENTICAL, Action.UNCHANGED}
    assert snapshot(root) == before


def test_dry_run_writes_nothing_and_shows_the_edit(root: Path) -> None:
    before = snapshot(root)

    result = add_endpoint("score", project=root, dry_run=True)

    assert snapshot(root) == before
    [edit] = [c for c in result.changes if c.path == Path("app/main.py")]
    assert "+    app.include_router(score.router)\n" in edit.diff()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "health"}, "was not made by fastml add-endpoint"),
        ({"name": "config"}, "would shadow"),
        ({"name": "logger"}, "would shadow 'logger'"),
        ({"name": "1abc"}, "Python module name"),
        ({"name": "class"}, "reserved word"),
        ({"name": "other", "path": "/predict"}, "already served by app/routers/predict.py"),
        ({"name": "feed", "udp": True}, "--udp needs --port"),
        ({"name": "feed", "port": 9000}, "--udp listeners only"),
        ({"name": "feed", "crud": True, "method": "GET"}, "--method applies"),
        ({"name": "feed", "method": "FETCH"}, "is not one of"),
    ],
)
def test_collisions_and_bad_input_write_nothing(
    root: Path, kwargs: dict[str, object], message: str
) -> None:
    before = snapshot(root)

    with pytest.raises(FastmlError, match=message):
        add_endpoint(project=root, **kwargs)  # type: ignore[arg-type]

    assert snapshot(root) == before


def test_another_method_for_the_same_name_is_a_conflict_unless_forced(root: Path) -> None:
    add_endpoint("score", project=root)
    before = snapshot(root)

    with pytest.raises(FastmlError, match="--force"):
        add_endpoint("score", method="GET", project=root)
    assert snapshot(root) == before

    skipped = add_endpoint("score", method="GET", project=root, on_conflict=OnConflict.SKIP)
    assert Action.SKIP in {change.action for change in skipped.changes}
    forced = add_endpoint("score", method="GET", project=root, on_conflict=OnConflict.FORCE)
    assert Action.OVERWRITE in {change.action for change in forced.changes}
    assert "@router.get(" in (root / "app/routers/score.py").read_text()


def test_a_taken_udp_port_is_refused(root: Path) -> None:
    add_endpoint("feed", udp=True, port=9999, project=root)

    with pytest.raises(FastmlError, match="taken by the listener 'feed'"):
        add_endpoint("other_feed", udp=True, port=9999, project=root)


REFORMATTED_MAIN_EDITS = [
    (
        "from app.routers import health, predict\n",
        "from app.routers import (\n    health,\n    mine,\n    predict,\n)\n",
    ),
    (
        "    app.include_router(predict.router)\n",
        "    app.include_router(\n        predict.router,\n    )\n"
        "    app.include_router(mine.router)\n",
    ),
]


def test_the_registry_survives_reformatting_and_routers_added_by_hand(root: Path) -> None:
    text = main_py(root)
    for old, new in REFORMATTED_MAIN_EDITS:
        text = text.replace(old, new)
    (root / "app/main.py").write_text(text)
    (root / "app/routers/mine.py").write_text(
        'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/mine")\n'
    )

    add_endpoint("score", project=root)
    once = main_py(root)
    add_endpoint("score", project=root)

    assert main_py(root) == once
    assert (
        "from app.routers import (\n    health,\n    mine,\n    predict,\n    score,\n)\n" in once
    )
    assert once.index("app.include_router(score.router)") > once.index("mine.router")


def test_a_missing_registry_stops_before_writing_and_says_what_to_add(root: Path) -> None:
    main = root / "app/main.py"
    main.write_text("".join(line for line in main.open() if "include_router" not in line))
    before = snapshot(root)

    with pytest.raises(AnchorNotFoundError) as raised:
        add_endpoint("score", project=root)

    assert "from app.routers import score" in str(raised.value)
    assert "app.include_router(score.router)" in str(raised.value)
    assert snapshot(root) == before


def test_a_missing_service_registry_stops_before_writing(root: Path) -> None:
    main = root / "app/main.py"
    main.write_text(main.read_text().replace("AsyncExitStack() as services", "nullcontext()"))
    before = snapshot(root)

    with pytest.raises(AnchorNotFoundError, match=r"await services\.enter_async_context"):
        add_endpoint("feed", udp=True, port=9999, project=root)

    assert snapshot(root) == before


def test_it_finds_the_project_from_a_nested_folder(root: Path) -> None:
    result = add_endpoint("score", project=root / "app" / "routers")

    assert result.root == root
    assert (root / "app/routers/score.py").is_file()


def test_outside_a_project_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FastmlError, match=r"\.fastml\.json"):
        add_endpoint("score", project=tmp_path)


def test_remove_after_add_gives_back_the_original_tree(root: Path) -> None:
    original = snapshot(root)
    kinds: list[dict[str, object]] = [
        {"name": "score"},
        {"name": "lookup", "method": "GET"},
        {"name": "items", "crud": True},
        {"name": "feed", "udp": True, "port": 9999},
    ]
    for kwargs in kinds:
        add_endpoint(project=root, **kwargs)  # type: ignore[arg-type]
    (root / "app/listeners/__pycache__").mkdir()
    (root / "app/listeners/__pycache__/feed.cpython-311.pyc").write_bytes(b"compiled")

    for kwargs in kinds:
        remove_endpoint(str(kwargs["name"]), project=root)

    assert snapshot(root) == original
    assert not (root / "app/listeners").exists()


def test_remove_dry_run_writes_nothing(root: Path) -> None:
    add_endpoint("score", project=root)
    before = snapshot(root)

    result = remove_endpoint("score", project=root, dry_run=True)

    assert snapshot(root) == before
    assert Action.REMOVE in {change.action for change in result.changes}


def test_remove_keeps_a_file_the_user_changed_unless_forced(root: Path) -> None:
    add_endpoint("score", project=root)
    router = root / "app/routers/score.py"
    router.write_text(router.read_text() + "\n# my change\n")
    before = snapshot(root)

    with pytest.raises(FastmlError, match="was changed since it was generated"):
        remove_endpoint("score", project=root)
    assert snapshot(root) == before

    remove_endpoint("score", project=root, force=True)
    assert not router.exists()


def test_remove_of_an_endpoint_never_added_is_an_error(root: Path) -> None:
    with pytest.raises(FastmlError, match="No endpoint 'health' was made"):
        remove_endpoint("health", project=root)
