"""The project and its record: a damaged record or app/main.py gets one line, never a traceback.

Each case runs the real CLI on a real render whose files were then broken by hand, and
checks that the command refused in one line and left every file as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support import assert_one_error_line, edit_record, snapshot
from typer.testing import CliRunner

from fastml_scaffold.cli import app
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.project import RECORD_FILE, DamagedRecordError, Project, new_record


def invoke(root: Path, *args: str) -> object:
    return CliRunner().invoke(app, [*args, "--project", str(root)], prog_name="fastml")


def with_score(record: dict) -> None:
    record["endpoints"] = {"score": {"name": "score", "kind": "route", "method": "POST"}}


DAMAGED_RECORDS: dict[str, Callable[[dict], object]] = {
    "an extra field": lambda r: with_score(r) or r["endpoints"]["score"].update(colour="red"),
    "no name": lambda r: with_score(r) or r["endpoints"]["score"].pop("name"),
    "a string for an endpoint": lambda r: r.update(endpoints={"score": "route"}),
    "a list for the endpoints": lambda r: r.update(endpoints=["score"]),
    "a number for a port": lambda r: with_score(r) or r["endpoints"]["score"].update(port="9"),
    "an unknown kind": lambda r: with_score(r) or r["endpoints"]["score"].update(kind="grpc"),
    "no answers": lambda r: r.pop("answers"),
    "a number as an answer": lambda r: r["answers"].update(version=1),
}


@pytest.mark.parametrize("damage", DAMAGED_RECORDS, ids=list(DAMAGED_RECORDS))
@pytest.mark.parametrize("command", ["add-endpoint", "remove-endpoint"])
def test_a_hand_edited_record_is_one_error_line(root: Path, command: str, damage: str) -> None:
    edit_record(root, DAMAGED_RECORDS[damage])
    before = snapshot(root)

    result = invoke(root, command, "score")

    assert_one_error_line(result)  # type: ignore[arg-type]
    assert "is damaged" in result.stderr  # type: ignore[attr-defined]
    assert snapshot(root) == before


def test_a_deeply_nested_record_is_one_error_line(root: Path) -> None:
    (root / RECORD_FILE).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")

    with pytest.raises(DamagedRecordError, match=r"nested too deeply|not a JSON object"):
        Project.find(root)


def test_a_record_that_is_not_json_is_one_error_line(root: Path) -> None:
    (root / RECORD_FILE).write_text("{'answers': {}}", encoding="utf-8")
    before = snapshot(root)

    assert_one_error_line(invoke(root, "add-endpoint", "score"))  # type: ignore[arg-type]
    assert snapshot(root) == before


MAIN_FAULTS: dict[str, Callable[[Path], object]] = {
    "latin-1": lambda main: main.write_bytes("# café\n".encode("latin-1") + main.read_bytes()),
    "a folder": lambda main: main.unlink() or main.mkdir(),
    "missing": lambda main: main.unlink(),
    "not Python": lambda main: main.write_text("def create_app(:\n", encoding="utf-8"),
}


@pytest.mark.parametrize("fault", MAIN_FAULTS, ids=list(MAIN_FAULTS))
@pytest.mark.parametrize("command", ["add-endpoint", "remove-endpoint"])
def test_a_broken_main_py_is_one_error_line(root: Path, command: str, fault: str) -> None:
    if command == "remove-endpoint":
        assert invoke(root, "add-endpoint", "score").exit_code == 0  # type: ignore[attr-defined]
    MAIN_FAULTS[fault](root / "app" / "main.py")
    before = snapshot(root)

    result = invoke(root, command, "score")

    assert_one_error_line(result)  # type: ignore[arg-type]
    assert snapshot(root) == before


def test_the_record_round_trips_byte_for_byte(root: Path) -> None:
    text = (root / RECORD_FILE).read_text(encoding="utf-8")

    assert Project.find(root).record_text() == text


def test_outside_a_project_says_how_to_find_one(tmp_path: Path) -> None:
    with pytest.raises(FastmlError, match="--project"):
        Project.find(tmp_path)


def test_a_new_record_loads_back(tmp_path: Path) -> None:
    answers = {"project_name": "Iris Service", "author_name": "Ada Lovelace"}

    path = new_record(tmp_path, answers, "9.9.9").save()
    project = Project.load(tmp_path)

    assert path == tmp_path / RECORD_FILE
    assert (project.answers, project.fastml_version, project.template) == (
        answers,
        "9.9.9",
        "project",
    )


def test_the_record_is_stable_json(tmp_path: Path) -> None:
    new_record(tmp_path, {"b": "2", "a": "1"}, "0.1.0").save()

    text = (tmp_path / RECORD_FILE).read_text(encoding="utf-8")

    assert text.endswith("\n")
    assert text.index('"a"') < text.index('"b"')
    assert json.loads(text)["answers"] == {"a": "1", "b": "2"}


def test_the_project_is_found_from_a_nested_folder(tmp_path: Path) -> None:
    nested = tmp_path / "iris-service" / "app" / "routers"
    nested.mkdir(parents=True)
    new_record(tmp_path / "iris-service", {}, "0.1.0").save()

    assert Project.find(nested).root == (tmp_path / "iris-service").resolve()


def test_keys_someone_else_added_to_the_record_are_kept(root: Path) -> None:
    edit_record(root, lambda r: r.update(notes="ours"))

    CliRunner().invoke(app, ["add-endpoint", "score", "--project", str(root)])

    assert json.loads((root / RECORD_FILE).read_text(encoding="utf-8"))["notes"] == "ours"


def test_an_entry_under_another_name_is_damaged(root: Path) -> None:
    edit_record(root, lambda r: r.update(endpoints={"score": {"name": "other", "kind": "route"}}))

    with pytest.raises(DamagedRecordError, match="is named 'other', which is not its module"):
        Project.find(root)
