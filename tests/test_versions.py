"""Template versions: the live templates are the current release, every release renders,
and fastml check tells a project on an older template from one on the current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from old_projects import OLD_PROJECTS, made_by_0_1_0
from support import assert_one_error_line, edit_record, snapshot
from typer.testing import CliRunner

from fastml_scaffold import new_project, versions
from fastml_scaffold.cli import app
from fastml_scaffold.commands.new import render_version
from fastml_scaffold.endpoints import recorded_endpoints
from fastml_scaffold.project import RECORD_FILE, Project
from fastml_scaffold.templates import template_dir


def test_the_live_templates_are_the_current_release() -> None:
    live = template_dir("project").parent

    with versions.templates_of(versions.CURRENT) as released:
        same = versions.fingerprint(released) == versions.fingerprint(live)

    assert same, (
        f"templates/ changed since template {versions.CURRENT} was released: release a new "
        "version (make release-template VERSION=x.y.z) so fastml check and update see it"
    )


def test_every_release_is_kept_from_0_1_0() -> None:
    assert versions.released()[0] == "0.1.0"
    assert versions.released()[-1] == versions.CURRENT


@pytest.mark.parametrize("name", OLD_PROJECTS)
def test_fastml_renders_0_1_0_projects_as_fastml_0_1_0_made_them(name: str, tmp_path: Path) -> None:
    """Template 0.1.0 and its endpoints added as add-endpoint adds them, with a project's
    recorded answers, give byte for byte what fastml 0.1.0 made: fastml update's base."""
    made = made_by_0_1_0(name, tmp_path / "made")
    project = Project.load(made)

    rendered = render_version(
        "0.1.0", project.answers, tmp_path / "stage", endpoints=recorded_endpoints(project)
    )

    assert len(project.endpoints) == 4
    assert {**snapshot(made), RECORD_FILE: b""} == {**snapshot(rendered), RECORD_FILE: b""}


def test_new_records_the_template_version(tmp_path: Path) -> None:
    made = new_project("Demo", output_dir=tmp_path)

    record = json.loads((made.project_dir / RECORD_FILE).read_text())
    assert record["template_version"] == versions.CURRENT
    assert Project.load(made.project_dir).template_version == versions.CURRENT


def test_check_passes_on_a_project_on_the_current_template(tmp_path: Path) -> None:
    project = new_project("Demo", output_dir=tmp_path).project_dir

    result = CliRunner().invoke(app, ["check", "--project", str(project)])

    assert result.exit_code == 0
    assert f"template {versions.CURRENT}" in result.stdout


def test_check_fails_in_one_line_on_an_older_template_and_writes_nothing(old: Path) -> None:
    before = snapshot(old)

    result = CliRunner().invoke(app, ["check", "--project", str(old)])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"Template 0.1.0 -> {versions.CURRENT}: {old} was made with an older template "
        "(--diff shows what changed)."
    ]
    assert snapshot(old) == before


def test_check_diff_shows_what_the_template_changed(old: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--project", str(old), "--diff"])

    assert result.exit_code == 1
    assert "--- a/app/fastpath.py" in result.stdout  # gone since 0.1.0
    assert "+++ b/app/serving.py" in result.stdout  # new since
    assert "+++ b/tests/test_items.py" in result.stdout  # an endpoint's file, changed since


def test_check_refuses_a_template_newer_than_it_knows(old: Path) -> None:
    edit_record(old, lambda r: r.update(template_version="9.0.0"))

    result = CliRunner().invoke(app, ["check", "--project", str(old)])

    assert_one_error_line(result, code=2)  # 1 is for "an update is available"
    assert "upgrade fastml" in result.stderr
