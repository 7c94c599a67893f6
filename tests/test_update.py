"""fastml update: a project made by fastml 0.1.0, edited by its owner, brought to the current
template by a three-way merge (git merge-file), and finished once its conflicts are resolved."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import PIPE
from typing import Any

import pytest
from old_projects import EXTRA_ROUTER, commit, git, resolve, update
from support import assert_one_error_line, edit_record, snapshot
from typer.testing import CliRunner

from fastml_scaffold import new_project, versions
from fastml_scaffold.cli import app
from fastml_scaffold.project import RECORD_FILE, Project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="update merges with git")


def record_route(root: Path, name: str, method: str) -> None:
    """A route in the record, as an older fastml's add-endpoint may have written it."""
    entry = {"kind": "route", "method": method, "name": name}
    edit_record(root, lambda r: r["endpoints"].update({name: entry}))


def test_an_old_project_takes_the_template_and_keeps_its_owner_s_edits(edited: Path) -> None:
    result = update(edited)

    assert result.exit_code == 1  # README, pyproject and main's imports changed on both sides
    assert "3 file(s) with conflicts" in result.stdout
    pyproject = (edited / "pyproject.toml").read_text()
    assert "<<<<<<< your project" in pyproject
    assert "||||||| template 0.1.0" in pyproject  # what the template had
    assert ">>>>>>> template 0.2.0" in pyproject
    assert '"orjson>=3.9",' in pyproject
    assert not list(edited.rglob("*.rej"))
    assert (edited / "app" / "serving.py").is_file()  # added by the template
    assert not (edited / "app" / "fastpath.py").exists()  # removed by it, untouched by you
    assert (edited / "app" / "routers" / "extra.py").read_text() == EXTRA_ROUTER
    assert "app.include_router(extra.router)" in (edited / "app" / "main.py").read_text()
    config = (edited / "app" / "config.py").read_text()
    assert "default=8080," in config  # merged without a conflict, the template's changes in
    assert "docs_enabled" in config
    assert "# Our training notes." in (edited / "app" / "train.py").read_text()
    assert Project.load(edited).template_version == "0.1.0"  # not until resolved


def test_endpoints_added_at_0_1_0_take_the_template_s_changes_and_stay_wired(
    edited: Path,
) -> None:
    result = update(edited)

    assert "update    tests/test_items.py" in result.stdout
    assert "keep      app/routers/score.py" not in result.stdout  # a keep is not listed
    main = (edited / "app" / "main.py").read_text()
    for line in ("include_router(score.router)", "include_router(items.router)"):
        assert main.count(line) == 1
    assert main.count("enter_async_context(telemetry.serve())") == 1
    score = (edited / "app" / "routers" / "score.py").read_text()
    assert "body.text.strip()" in score  # the owner's logic
    items_test = (edited / "tests" / "test_items.py").read_text()
    assert "def empty_store(client: TestClient)" in items_test  # the template's change


def test_endpoints_made_at_0_1_0_can_be_removed_after_the_update(old: Path) -> None:
    assert update(old).exit_code == 0
    commit(old, "updated")

    removed = CliRunner().invoke(app, ["remove-endpoint", "items", "--project", str(old)])

    assert removed.exit_code == 0, removed.output
    assert not (old / "app" / "routers" / "items.py").exists()
    assert "items" not in Project.load(old).endpoints


def test_update_finishes_once_the_conflicts_are_resolved(edited: Path) -> None:
    update(edited)
    assert update(edited).exit_code == 1  # markers still there
    resolve(edited)
    commit(edited, "resolved")

    finished = update(edited)
    commit(edited, "recorded")
    again = update(edited)

    assert finished.exit_code == 0, finished.output
    assert Project.load(edited).template_version == versions.CURRENT
    assert CliRunner().invoke(app, ["check", "--project", str(edited)]).exit_code == 0
    assert "finished the update" in finished.stdout
    assert again.exit_code == 0
    assert "nothing to update" in again.stdout
    assert git(edited, "status", "--porcelain") == ""  # a second update changes nothing


def test_a_project_without_edits_updates_cleanly(old: Path) -> None:
    result = update(old)

    assert result.exit_code == 0, result.output
    assert Project.load(old).template_version == versions.CURRENT
    assert "## Quick start" in (old / "README.md").read_text()


def test_set_changes_an_answer_through_the_merge(tmp_path: Path) -> None:
    root = new_project("Demo", output_dir=tmp_path).project_dir
    git(root, "init", "-q")
    with (root / "README.md").open("a") as readme:
        readme.write("\nOur notes.\n")
    commit(root)

    result = update(root, "--set", "metrics=yes")

    assert result.exit_code == 0, result.output
    assert (root / "app" / "metrics.py").is_file()
    assert "metrics" in (root / "app" / "main.py").read_text()
    assert (root / "README.md").read_text().endswith("\nOur notes.\n")
    assert Project.load(root).answers["metrics"] == "yes"


def test_a_dirty_tree_is_refused_and_nothing_written(edited: Path) -> None:
    (edited / "README.md").write_text("uncommitted\n")
    before = snapshot(edited)

    result = update(edited)

    assert_one_error_line(result)
    assert "uncommitted changes" in result.stderr
    assert snapshot(edited) == before


def test_outside_git_it_needs_force(tmp_path: Path, old: Path) -> None:
    shutil.rmtree(old / ".git")
    before = snapshot(old)

    refused = update(old)
    assert_one_error_line(refused)
    assert snapshot(old) == before
    assert update(old, "--force").exit_code == 0


def test_dry_run_prints_the_plan_and_writes_nothing(edited: Path) -> None:
    before = snapshot(edited)

    result = update(edited, "--dry-run")

    assert "create    app/serving.py" in result.stdout
    assert "remove    app/fastpath.py" in result.stdout
    assert "conflict  pyproject.toml" in result.stdout
    assert snapshot(edited) == before


def test_a_file_the_template_removed_but_the_owner_changed_is_kept(old: Path) -> None:
    fastpath = old / "app" / "fastpath.py"
    fastpath.write_text(fastpath.read_text() + "\n# We use this.\n")
    commit(old)

    result = update(old)

    assert fastpath.is_file()
    assert "keep      app/fastpath.py  (changed by you)" in result.stdout


def test_an_interrupted_update_leaves_the_project_as_it_was(
    edited: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastml_scaffold import plan

    before = snapshot(edited)
    real = plan.write_atomically
    calls = 0

    def interrupted(path: Path, text: str | bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:  # midway through the plan
            raise KeyboardInterrupt
        real(path, text)

    monkeypatch.setattr(plan, "write_atomically", interrupted)
    result = update(edited)

    assert result.exit_code == 130
    assert snapshot(edited) == before


@pytest.mark.parametrize(
    "given",
    [["metrics=maybe"], ["nothing=1"], ["kubernetes=yes", "docker=no"], ["project_name=X"]],
    ids=["bad-choice", "unknown-question", "clash", "name"],
)
def test_a_set_answer_the_template_refuses_is_one_line(old: Path, given: list[str]) -> None:
    before = snapshot(old)

    result = update(old, *[arg for answer in given for arg in ("--set", answer)])

    assert_one_error_line(result)
    assert snapshot(old) == before


def test_a_pending_update_takes_no_new_answers(edited: Path) -> None:
    update(edited)

    result = update(edited, "--set", "metrics=yes")

    assert_one_error_line(result)
    assert "waiting for its conflicts" in result.stderr


def test_crlf_files_the_owner_did_not_touch_update_cleanly(old: Path) -> None:
    for name in ("Dockerfile", "app/main.py"):
        path = old / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    commit(old)

    result = update(old)

    assert result.exit_code == 0, result.output
    main = (old / "app" / "main.py").read_bytes()
    assert b"create_app" in main
    assert main.count(b"\r\n") == main.count(b"\n")  # CRLF kept, every line


def test_a_file_that_is_not_utf8_is_a_conflict_not_a_silent_keep(old: Path) -> None:
    config = old / "app" / "config.py"
    config.write_bytes(config.read_bytes() + b"# caf\xe9\n")
    commit(old)

    result = update(old)

    assert result.exit_code == 1
    assert "conflict  app/config.py" in result.stdout
    assert Project.load(old).template_version == "0.1.0"


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["update", "dry-run"])
@pytest.mark.parametrize(
    "blocker",
    ["folder-for-a-file", "file-for-a-folder", "link-out-of-the-project"],
)
def test_what_stands_where_the_template_writes_stops_the_update_before_any_write(
    old: Path, tmp_path: Path, blocker: str, dry_run: list[str]
) -> None:
    if blocker == "folder-for-a-file":  # the template adds app/docs.py
        (old / "app" / "docs.py").mkdir()
        (old / "app" / "docs.py" / "notes.txt").write_text("ours\n")
        expected, args = "app/docs.py is a folder where a file goes", []
    elif blocker == "file-for-a-folder":  # --set kubernetes=yes adds k8s/
        (old / "k8s").write_text("notes\n")
        expected, args = "k8s is a file where a folder goes", ["--set", "kubernetes=yes"]
    else:
        (tmp_path / "elsewhere").mkdir()
        (old / "k8s").symlink_to(tmp_path / "elsewhere")
        expected, args = "k8s is a symbolic link", ["--set", "kubernetes=yes"]
    commit(old)
    before = snapshot(old)

    result = update(old, *args, *dry_run)

    assert_one_error_line(result)
    assert expected in result.stderr
    assert snapshot(old) == before
    assert not any((tmp_path / "elsewhere").iterdir()) if blocker.startswith("link") else True


def test_without_git_update_says_so_in_one_line(old: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastml_scaffold.commands import update as update_module

    monkeypatch.setattr(update_module.shutil, "which", lambda name: None)

    result = update(old, "--force")

    assert_one_error_line(result)
    assert "install git" in result.stderr


def test_a_project_git_does_not_track_is_refused(tmp_path: Path) -> None:
    root = new_project("Demo", output_dir=tmp_path).project_dir
    git(root, "init", "-q")  # nothing committed

    result = update(root)

    assert_one_error_line(result)
    assert "not committed" in result.stderr


def test_a_damaged_pending_update_is_one_line(edited: Path) -> None:
    update(edited)
    record = json.loads((edited / RECORD_FILE).read_text())
    record["update"]["to"] = "9.9.9"
    (edited / RECORD_FILE).write_text(json.dumps(record))

    result = update(edited)

    assert_one_error_line(result)
    assert "damaged" in result.stderr


def test_an_endpoint_named_like_a_module_the_template_added_stops_the_update(old: Path) -> None:
    """fastml 0.1.0 let an endpoint be called index; template 0.2.0 has its own
    app/routers/index.py.  Neither may silently replace the other."""
    record_route(old, "index", "GET")
    commit(old)
    before = snapshot(old)

    result = update(old)

    assert_one_error_line(result)
    assert "app/routers/index.py" in result.stderr
    assert "fastml remove-endpoint index" in result.stderr
    assert snapshot(old) == before


def test_a_few_crlf_lines_do_not_turn_the_whole_file_to_crlf(old: Path) -> None:
    makefile = old / "Makefile"
    makefile.write_bytes(makefile.read_bytes() + b"# pasted\r\n")
    commit(old)

    update(old)

    merged = makefile.read_bytes()
    assert merged.count(b"\r\n") == 1
    assert b"# pasted\r\n" in merged


def test_an_answer_the_template_no_longer_offers_must_be_changed(old: Path) -> None:
    # Offered by 0.1.0, not by 0.2.0.
    edit_record(old, lambda r: r["answers"].update(python_version="3.10"))
    commit(old)
    before = snapshot(old)

    refused = update(old)
    checked = CliRunner().invoke(app, ["check", "--project", str(old), "--diff"])

    assert_one_error_line(refused)
    assert "--set python_version=3.11" in refused.stderr
    assert snapshot(old) == before
    assert_one_error_line(checked, code=2)
    assert "--set python_version=3.11" in checked.stderr
    changed = update(old, "--set", "python_version=3.12")
    assert changed.stderr == "", changed.output  # (conflicts: the files say 3.11, not 3.10)
    assert "3.12" in (old / "Dockerfile").read_text()


def test_set_model_framework_changes_the_model_file_with_it(old: Path) -> None:
    result = update(old, "--set", "model_framework=custom")

    assert result.exit_code in (0, 1), result.output
    assert (
        Project.load(old).others.get("update", {}).get("answers", {}).get("model_file")
        == "model.json"
        or Project.load(old).answers["model_file"] == "model.json"
    )
    assert "models/model.json" in (old / "app" / "config.py").read_text()


def test_endpoints_with_the_names_of_builtins_that_0_1_0_allowed_still_load(old: Path) -> None:
    record_route(old, "id", "POST")
    commit(old)

    listed = CliRunner().invoke(app, ["endpoints", "--project", str(old)])
    checked = CliRunner().invoke(app, ["check", "--project", str(old)])

    assert listed.exit_code == 0, listed.output
    assert "/id" in listed.stdout
    assert checked.exit_code == 1  # an update is available, the record is fine


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.update(answers={}),
        lambda r: r["endpoints"]["telemetry"].update(port=70000),
        lambda r: r["endpoints"]["score"].update(method="TRACE"),
        lambda r: r.update(update={"to": "0.2.0", "conflicts": ["../../x"], "answers": {}}),
    ],
    ids=["no-answers", "port", "method", "pending-outside"],
)
def test_a_hand_damaged_record_is_one_line_and_nothing_written(
    old: Path, damage: Callable[[dict[str, Any]], None]
) -> None:
    edit_record(old, damage)
    commit(old)
    before = snapshot(old)

    result = update(old)

    assert_one_error_line(result)
    assert "damaged" in result.stderr
    assert snapshot(old) == before


def test_ctrl_c_at_any_moment_leaves_the_project_as_it_was_or_updated(
    edited: Path, tmp_path: Path
) -> None:
    """A real SIGINT, sent at moments spread over a run once fastml is at work (before,
    Python itself is starting): either the update is done, or the project is exactly its
    last commit (no file changed, none left behind)."""
    command = [sys.executable, "-m", "fastml_scaffold", "update"]
    scratch = tmp_path / "scratch"  # fastml's temporary folders: it is at work once one exists
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}

    def reset() -> None:
        git(edited, "reset", "-q", "--hard")
        git(edited, "clean", "-qfdx")

    def start() -> subprocess.Popen[bytes]:
        reset()
        process = subprocess.Popen(command, cwd=edited, stdout=PIPE, stderr=PIPE, env=env)
        while not any(scratch.iterdir()) and process.poll() is None:
            time.sleep(0.002)
        return process

    durations = []
    for _ in range(2):  # the faster of two whole runs: the first may be slowed by a cold cache
        started = time.monotonic()
        start().communicate(timeout=60)
        durations.append(time.monotonic() - started)
    seen = set()
    for fraction in (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        process = start()
        time.sleep(min(durations) * fraction)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        seen.add(process.returncode)
        stderr += f" (signal at {fraction} of {min(durations):.2f} s)".encode()
        assert b"Traceback" not in stderr, stderr
        assert process.returncode in (1, 130), stderr  # 1: done, with its conflicts
        if process.returncode == 130:
            status = git(edited, "status", "--porcelain", "--ignored").splitlines()
            assert [line for line in status if "__pycache__" not in line] == [], stderr
        assert not any(scratch.iterdir()), stderr  # its temporary folders removed
    assert 130 in seen, seen


def test_check_fails_while_an_update_waits_for_its_conflicts(edited: Path) -> None:
    update(edited)
    commit(edited, "conflicts committed")

    checked = CliRunner().invoke(app, ["check", "--project", str(edited)])

    assert checked.exit_code == 1
    assert "waits for its conflicts" in checked.stdout


def test_a_half_resolved_conflict_does_not_finish_the_update(edited: Path) -> None:
    update(edited)
    main = edited / "app" / "main.py"  # the outer markers gone, the rest left by mistake
    main.write_text(
        "".join(
            line
            for line in main.read_text().splitlines(keepends=True)
            if not line.startswith(("<<<<<<<", ">>>>>>>"))
        )
    )
    resolve(edited)  # the others, properly

    again = update(edited)

    assert again.exit_code == 1
    assert "conflict  app/main.py  (conflict markers left)" in again.stdout
    assert Project.load(edited).template_version == "0.1.0"


def test_marker_like_lines_the_owner_wrote_before_do_not_block_the_update(old: Path) -> None:
    with (old / "README.md").open("a") as readme:
        readme.write("\n```text\n<<<<<<< your project\n=======\n>>>>>>> template 0.2.0\n```\n")
    commit(old)
    update(old)
    resolve(old)
    commit(old, "resolved")

    finished = update(old)

    assert finished.exit_code == 0, finished.output
    assert Project.load(old).template_version == versions.CURRENT


def test_a_dry_run_with_conflicts_says_it_is_a_dry_run(edited: Path) -> None:
    result = update(edited, "--dry-run")

    assert result.stdout.splitlines()[-1].startswith("Dry run: template 0.1.0 -> 0.2.0 would")
    assert "update    .fastml.json" in result.stdout


def test_conflicts_after_set_name_the_changed_answer(tmp_path: Path) -> None:
    root = new_project("Demo", output_dir=tmp_path).project_dir
    git(root, "init", "-q")
    predict = root / "app" / "routers" / "predict.py"
    line = "from app.deps import ModelDep, RunnerDep"
    predict.write_text(predict.read_text().replace(line, f"{line}  # ours"))
    commit(root)

    update(root, "--set", "metrics=yes")

    assert ">>>>>>> template 0.2.0 with metrics=yes" in predict.read_text()


def test_a_clash_names_the_template_that_has_it(old: Path) -> None:
    """0.1.0 accepted an endpoint called settings; 0.2.0's create_app(settings) takes it."""
    record_route(old, "settings", "GET")
    commit(old)

    result = update(old)

    assert_one_error_line(result)
    assert "clashes with template 0.2.0" in result.stderr
