"""The plan: nothing is written unless every change can be made and every Python file compiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import assert_one_error_line, snapshot
from typer.testing import CliRunner

from fastml_scaffold import plan
from fastml_scaffold.cli import app
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.plan import Action, FileChange, apply_changes, refuse_conflicts


def test_a_python_file_that_would_not_compile_is_refused() -> None:
    changes = [
        FileChange(Path("app/ok.py"), Action.CREATE, content="x = 1\n"),
        FileChange(Path("app/bad.py"), Action.CREATE, content="def f(class): pass\n"),
    ]

    with pytest.raises(FastmlError, match=r"app/bad.py would not compile .*line 1"):
        refuse_conflicts(changes)


def test_other_files_are_not_compiled() -> None:
    refuse_conflicts([FileChange(Path("README.md"), Action.CREATE, content="def (\n")])


@pytest.mark.parametrize(
    "path", ["/x/{class}", "/x/{def}", "/x/{None}", "/x/{True}", "/{id}/{id}", "/x/{body}"]
)
def test_a_path_that_would_give_broken_code_changes_nothing(root: Path, path: str) -> None:
    before = snapshot(root)

    result = CliRunner().invoke(
        app, ["add-endpoint", "score", "--path", path, "--project", str(root)], prog_name="fastml"
    )

    assert_one_error_line(result)
    assert snapshot(root) == before


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_plan_that_fails_midway_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    (tmp_path / "keep.txt").write_text("mine\n", encoding="utf-8")
    (tmp_path / "old.py").write_text("x = 1\n", encoding="utf-8")
    before = snapshot(tmp_path)
    changes = [
        FileChange(Path("old.py"), Action.OVERWRITE, content="x = 2\n"),
        FileChange(Path("new/deep/a.py"), Action.CREATE, content="a = 1\n"),
        FileChange(Path("keep.txt"), Action.REMOVE),
        FileChange(Path("new/b.py"), Action.CREATE, content="b = 1\n"),
    ]
    real_write = plan.write_atomically

    def fail_on_b(path: Path, text: str) -> None:
        if path.name == "b.py":
            raise failure
        real_write(path, text)

    monkeypatch.setattr(plan, "write_atomically", fail_on_b)

    with pytest.raises(type(failure)):
        apply_changes(tmp_path, changes)

    assert snapshot(tmp_path) == before
    assert not (tmp_path / "new").exists()
