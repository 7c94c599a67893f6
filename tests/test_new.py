"""new_project: real renders into tmp_path, all or nothing."""

from __future__ import annotations

import ast
import errno
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from fastml_scaffold import __version__
from fastml_scaffold.commands.new import new_project
from fastml_scaffold.errors import (
    FastmlError,
    InvalidAnswerError,
    InvalidNameError,
    TargetExistsError,
)
from fastml_scaffold.plan import Action, OnConflict
from fastml_scaffold.project import RECORD_FILE
from fastml_scaffold.templates import Question, load_template

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib
    tomllib = pytest.importorskip("tomli")

EXPECTED_FILES = [
    "app/__init__.py",
    "app/__main__.py",
    "app/main.py",
    "app/model.py",
    "app/config.py",
    "app/schemas.py",
    "app/routers/__init__.py",
    "app/routers/predict.py",
    "app/routers/health.py",
    "pyproject.toml",
    "Dockerfile",
    ".dockerignore",
    "README.md",
    "tests/conftest.py",
    "tests/test_health.py",
    "tests/test_predict.py",
    RECORD_FILE,
]


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every entry under ``root``: a file's bytes, or None for a folder."""
    return {
        path.relative_to(root).as_posix(): (None if path.is_dir() else path.read_bytes())
        for path in sorted(root.rglob("*"))
    }


def read_record(project_dir: Path) -> dict[str, object]:
    record = json.loads((project_dir / RECORD_FILE).read_text(encoding="utf-8"))
    assert isinstance(record, dict)
    return record


def read_pyproject(project_dir: Path) -> dict[str, object]:
    data = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    assert isinstance(project, dict)
    return project


# A fresh project


def test_creates_the_project_folder_named_after_the_slug(tmp_path: Path) -> None:
    result = new_project("Iris Service", output_dir=tmp_path)

    assert result.project_dir == tmp_path / "iris-service"
    assert result.names.slug == "iris-service"
    assert result.dry_run is False
    assert [path.name for path in tmp_path.iterdir()] == ["iris-service"]


def test_creates_the_expected_files(tmp_path: Path) -> None:
    result = new_project("Iris Service", output_dir=tmp_path)

    missing = [name for name in EXPECTED_FILES if not (result.project_dir / name).is_file()]
    assert missing == []


def test_reports_every_generated_file_as_created(tmp_path: Path) -> None:
    result = new_project("Iris Service", output_dir=tmp_path)

    on_disk = {
        path.relative_to(result.project_dir).as_posix()
        for path in result.project_dir.rglob("*")
        if path.is_file()
    }
    assert {change.path.as_posix() for change in result.changes} == on_disk
    assert {change.action for change in result.changes} == {Action.CREATE}


def test_leaves_no_staging_folder_behind(tmp_path: Path) -> None:
    new_project("Iris Service", output_dir=tmp_path)

    assert list(tmp_path.glob(".fastml-new-*")) == []
    assert not (tmp_path / "iris-service" / ".replay").exists()


def test_records_version_and_default_answers_in_fastml_json(tmp_path: Path) -> None:
    result = new_project("Iris Service", output_dir=tmp_path)

    record = read_record(result.project_dir)
    assert record["fastml_version"] == __version__
    answers = record["answers"]
    assert isinstance(answers, dict)
    assert answers["project_name"] == "Iris Service"
    assert answers["project_slug"] == "iris-service"
    assert answers["env_prefix"] == "IRIS_SERVICE_"
    assert answers["python_version"] == "3.11"
    assert answers == result.answers


def test_renders_the_derived_names_into_the_project(tmp_path: Path) -> None:
    result = new_project("Iris Service", output_dir=tmp_path)

    project = read_pyproject(result.project_dir)
    assert project["name"] == "iris-service"
    config = (result.project_dir / "app" / "config.py").read_text(encoding="utf-8")
    assert 'env_prefix="IRIS_SERVICE_"' in config
    readme = (result.project_dir / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Iris Service\n")


def test_does_not_write_into_home(tmp_path: Path, isolated_home: Path) -> None:
    new_project("Iris Service", output_dir=tmp_path)

    assert list(isolated_home.iterdir()) == []


# Answers


def test_answers_appear_in_fastml_json_and_pyproject(tmp_path: Path) -> None:
    answers = {
        "author_name": "Ada Lovelace",
        "author_email": "ada@example.com",
        "version": "1.2.3",
        "description": "Classifies things.",
    }

    result = new_project("Iris Service", output_dir=tmp_path, answers=answers)

    recorded = read_record(result.project_dir)["answers"]
    assert isinstance(recorded, dict)
    assert {key: recorded[key] for key in answers} == answers
    project = read_pyproject(result.project_dir)
    assert project["authors"] == [{"name": "Ada Lovelace", "email": "ada@example.com"}]
    assert project["version"] == "1.2.3"
    assert project["description"] == "Classifies things."


def test_empty_author_email_leaves_it_out_of_pyproject(tmp_path: Path) -> None:
    result = new_project(
        "Iris Service", output_dir=tmp_path, answers={"author_name": "Ada", "author_email": ""}
    )

    assert read_pyproject(result.project_dir)["authors"] == [{"name": "Ada"}]


def test_python_version_choice_reaches_the_dockerfile(tmp_path: Path) -> None:
    result = new_project("Iris Service", output_dir=tmp_path, answers={"python_version": "3.13"})

    dockerfile = (result.project_dir / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG PYTHON_VERSION=3.13" in dockerfile


def test_config_file_answers_are_used_and_set_answers_win(tmp_path: Path) -> None:
    config = tmp_path / "answers.yaml"
    config.write_text(
        "default_context:\n"
        "  author_name: From File\n"
        "  author_email: file@example.com\n"
        "  version: '0.0.1'\n",
        encoding="utf-8",
    )
    output_dir = tmp_path / "out"

    result = new_project(
        "Iris Service",
        output_dir=output_dir,
        config_file=config,
        answers={"author_name": "From Set"},
    )

    recorded = read_record(result.project_dir)["answers"]
    assert isinstance(recorded, dict)
    assert recorded["author_name"] == "From Set"
    assert recorded["author_email"] == "file@example.com"
    assert recorded["version"] == "0.0.1"
    project = read_pyproject(result.project_dir)
    assert project["authors"] == [{"name": "From Set", "email": "file@example.com"}]
    assert project["version"] == "0.0.1"


def test_project_name_in_config_file_does_not_override_the_name_argument(tmp_path: Path) -> None:
    config = tmp_path / "answers.yaml"
    config.write_text("project_name: Other Name\n", encoding="utf-8")

    result = new_project("Iris Service", output_dir=tmp_path / "out", config_file=config)

    assert result.project_dir == tmp_path / "out" / "iris-service"
    assert result.answers["project_name"] == "Iris Service"


def test_project_name_in_answers_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(FastmlError, match="NAME argument"):
        new_project("Iris Service", output_dir=tmp_path, answers={"project_name": "Other"})

    assert list(tmp_path.iterdir()) == []


def test_unknown_answer_is_rejected_before_writing(tmp_path: Path) -> None:
    with pytest.raises(InvalidAnswerError, match="unknown question"):
        new_project("Iris Service", output_dir=tmp_path, answers={"colour": "blue"})

    assert list(tmp_path.iterdir()) == []


def test_bad_choice_in_config_file_is_rejected_before_writing(tmp_path: Path) -> None:
    config = tmp_path / "answers.yaml"
    config.write_text("python_version: '2.7'\n", encoding="utf-8")
    before = snapshot(tmp_path)

    with pytest.raises(InvalidAnswerError, match="not one of"):
        new_project("Iris Service", output_dir=tmp_path, config_file=config)

    assert snapshot(tmp_path) == before


# Interactive questions


def test_ask_is_called_only_for_unanswered_questions(tmp_path: Path) -> None:
    asked: list[str] = []

    def ask(question: Question) -> str:
        asked.append(question.key)
        return "Asked Author" if question.key == "author_name" else question.default

    result = new_project(
        "Iris Service",
        output_dir=tmp_path,
        answers={"description": "Given.", "version": "2.0.0"},
        ask=ask,
    )

    questions = load_template("project").questions
    # device matters only to the PyTorch model, which the default answers do not choose.
    unasked = {"project_name", "description", "version", "device"}
    assert sorted(asked) == sorted(set(questions) - unasked)
    assert "author_name" in asked
    assert result.answers["author_name"] == "Asked Author"
    assert result.answers["description"] == "Given."
    assert read_pyproject(result.project_dir)["authors"] == [
        {"name": "Asked Author", "email": "you@example.com"}
    ]


def test_device_is_asked_once_pytorch_is_chosen(tmp_path: Path) -> None:
    asked: list[str] = []

    def ask(question: Question) -> str:
        asked.append(question.key)
        return {"model_framework": "pytorch", "device": "auto"}.get(question.key, question.default)

    result = new_project("Iris Service", output_dir=tmp_path, ask=ask)

    assert asked.index("model_framework") < asked.index("device")
    assert result.answers["device"] == "auto"
    assert result.answers["model_file"] == "model.pt"
    config = (result.project_dir / "app/config.py").read_text(encoding="utf-8")
    assert 'default="auto"' in config


@pytest.mark.parametrize(
    ("framework", "model_file"),
    [
        ("sklearn", "model.joblib"),
        ("onnx", "model.onnx"),
        ("pytorch", "model.pt"),
        ("custom", "model.json"),
    ],
)
def test_model_file_follows_the_framework(tmp_path: Path, framework: str, model_file: str) -> None:
    result = new_project(
        "Iris Service", output_dir=tmp_path, answers={"model_framework": framework}
    )

    config = (result.project_dir / "app/config.py").read_text(encoding="utf-8")
    assert f'Path("models/{model_file}")' in config
    assert f"/srv/models/{model_file}" in (result.project_dir / "Dockerfile").read_text()


@pytest.mark.parametrize(
    "answers",
    [
        {"device": "cuda"},
        {"device": "auto", "model_framework": "onnx"},
        {"kubernetes": "yes", "docker": "no"},
        {"model_framework": "pytorch", "device": "cuda", "python_version": "3.13"},
    ],
)
def test_answers_that_make_no_sense_together_are_rejected_before_writing(
    tmp_path: Path, answers: dict[str, str]
) -> None:
    with pytest.raises(InvalidAnswerError, match=r"needs .* set "):
        new_project("Iris Service", output_dir=tmp_path, answers=answers)

    assert list(tmp_path.iterdir()) == []


def test_ask_receives_questions_with_prompts_defaults_and_choices(tmp_path: Path) -> None:
    questions: dict[str, Question] = {}

    def ask(question: Question) -> str:
        questions[question.key] = question
        return question.default

    new_project("Iris Service", output_dir=tmp_path, ask=ask)

    python = questions["python_version"]
    assert python.default == "3.11"
    assert python.choices == ("3.11", "3.12", "3.13")
    assert questions["author_name"].label == "Author name"
    assert "project_name" not in questions


def test_invalid_asked_choice_is_rejected_before_writing(tmp_path: Path) -> None:
    def ask(question: Question) -> str:
        return "2.7" if question.key == "python_version" else question.default

    with pytest.raises(InvalidAnswerError, match="not one of"):
        new_project("Iris Service", output_dir=tmp_path, ask=ask)

    assert list(tmp_path.iterdir()) == []


# Dry run


def test_dry_run_writes_nothing_and_plans_creates(tmp_path: Path) -> None:
    (tmp_path / "unrelated.txt").write_text("keep me\n", encoding="utf-8")
    before = snapshot(tmp_path)

    result = new_project("Iris Service", output_dir=tmp_path, dry_run=True)

    assert snapshot(tmp_path) == before
    assert result.dry_run is True
    assert result.project_dir == tmp_path / "iris-service"
    planned = {change.path.as_posix() for change in result.changes}
    assert set(EXPECTED_FILES) <= planned
    assert {change.action for change in result.changes} == {Action.CREATE}


def test_dry_run_does_not_create_a_missing_output_dir(tmp_path: Path) -> None:
    output_dir = tmp_path / "not" / "yet"

    new_project("Iris Service", output_dir=output_dir, dry_run=True)

    assert list(tmp_path.iterdir()) == []


# The target folder


def test_non_empty_target_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "iris-service"
    (target / "app").mkdir(parents=True)
    (target / "README.md").write_text("my own readme\n", encoding="utf-8")
    (target / "app" / "main.py").write_text("print('mine')\n", encoding="utf-8")
    before = snapshot(tmp_path)

    with pytest.raises(TargetExistsError, match="--force"):
        new_project("Iris Service", output_dir=tmp_path)

    assert snapshot(tmp_path) == before


def test_non_empty_target_is_refused_in_a_dry_run_too(tmp_path: Path) -> None:
    target = tmp_path / "iris-service"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n", encoding="utf-8")

    with pytest.raises(TargetExistsError):
        new_project("Iris Service", output_dir=tmp_path, dry_run=True)


def test_force_keeps_unrelated_files_and_overwrites_generated_ones(tmp_path: Path) -> None:
    target = tmp_path / "iris-service"
    target.mkdir()
    (target / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (target / "README.md").write_text("my own readme\n", encoding="utf-8")

    result = new_project("Iris Service", output_dir=tmp_path, on_conflict=OnConflict.FORCE)

    assert (target / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert (target / "README.md").read_text(encoding="utf-8").startswith("# Iris Service\n")
    actions = {change.path.as_posix(): change.action for change in result.changes}
    assert actions["README.md"] is Action.OVERWRITE
    assert actions["pyproject.toml"] is Action.CREATE
    assert "notes.txt" not in actions
    assert list(tmp_path.glob(".fastml-new-*")) == []


def test_new_refuses_a_folder_that_holds_a_fastml_project_even_with_force(
    tmp_path: Path,
) -> None:
    new_project("Iris Service", output_dir=tmp_path)
    target = tmp_path / "iris-service"
    (target / "app" / "model.py").write_text("# edited by hand\n", encoding="utf-8")
    before = snapshot(tmp_path)

    with pytest.raises(TargetExistsError, match="already holds a fastml project"):
        new_project("Iris Service", output_dir=tmp_path, on_conflict=OnConflict.FORCE)

    assert snapshot(tmp_path) == before


def test_force_never_writes_through_a_link_that_leads_outside_the_target(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "main.py").write_text("# someone else's\n", encoding="utf-8")
    target = tmp_path / "out" / "iris-service"
    target.mkdir(parents=True)
    (target / "app").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path)

    with pytest.raises(TargetExistsError, match=r"symbolic link .*outside"):
        new_project("Iris Service", output_dir=tmp_path / "out", on_conflict=OnConflict.FORCE)

    assert snapshot(tmp_path) == before


def test_a_full_disk_is_one_error_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastml_scaffold.commands import new

    real_render = new._render

    def render_then_fill_the_disk(*args: Any) -> Path:
        rendered = real_render(*args)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(rendered / "app"))

    monkeypatch.setattr(new, "_render", render_then_fill_the_disk)

    with pytest.raises(FastmlError, match="No space left on device"):
        new_project("Iris Service", output_dir=tmp_path)

    assert list(tmp_path.iterdir()) == []


def test_stale_staging_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / ".fastml-new-999999999-abcd1234"  # no process has that pid
    (dead / "out").mkdir(parents=True)
    (dead / "out" / "half.py").write_text("x = (\n", encoding="utf-8")
    running = tmp_path / f".fastml-new-{os.getpid()}-efgh5678"
    running.mkdir()

    result = new_project("Iris Service", output_dir=tmp_path)

    assert result.removed_leftovers == [dead]
    assert not dead.exists()
    assert running.is_dir()


def test_forced_dry_run_plans_overwrites_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "iris-service"
    target.mkdir()
    (target / "README.md").write_text("my own readme\n", encoding="utf-8")
    before = snapshot(tmp_path)

    result = new_project(
        "Iris Service", output_dir=tmp_path, on_conflict=OnConflict.FORCE, dry_run=True
    )

    assert snapshot(tmp_path) == before
    actions = {change.path.as_posix(): change.action for change in result.changes}
    assert actions["README.md"] is Action.OVERWRITE
    assert actions["pyproject.toml"] is Action.CREATE


def test_existing_empty_target_is_used_without_force(tmp_path: Path) -> None:
    (tmp_path / "iris-service").mkdir()

    result = new_project("Iris Service", output_dir=tmp_path)

    assert (result.project_dir / "pyproject.toml").is_file()
    assert {change.action for change in result.changes} == {Action.CREATE}


def test_file_in_place_of_the_target_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "iris-service").write_text("a file\n", encoding="utf-8")
    before = snapshot(tmp_path)

    with pytest.raises(TargetExistsError, match="not a folder"):
        new_project("Iris Service", output_dir=tmp_path, on_conflict=OnConflict.FORCE)

    assert snapshot(tmp_path) == before


def test_file_in_place_of_the_output_dir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file\n", encoding="utf-8")
    before = snapshot(tmp_path)

    with pytest.raises(TargetExistsError, match="is a file"):
        new_project("Iris Service", output_dir=tmp_path / "out")

    assert snapshot(tmp_path) == before


def test_missing_output_dir_is_created(tmp_path: Path) -> None:
    output_dir = tmp_path / "deep" / "er"

    result = new_project("Iris Service", output_dir=output_dir)

    assert result.project_dir == output_dir / "iris-service"
    assert (output_dir / "iris-service" / "pyproject.toml").is_file()
    assert list(output_dir.glob(".fastml-new-*")) == []
    assert list(tmp_path.glob(".fastml-new-*")) == []


def test_relative_output_dir_is_relative_to_the_current_folder(chdir_tmp: Path) -> None:
    result = new_project("Iris Service", output_dir=Path("out"))

    assert (chdir_tmp / "out" / "iris-service" / "pyproject.toml").is_file()
    assert result.project_dir == Path("out") / "iris-service"


# Names


@pytest.mark.parametrize("name", ["", "a/b", "{{ cookiecutter.x }}", "123 service"])
def test_invalid_name_writes_nothing(tmp_path: Path, name: str) -> None:
    output_dir = tmp_path / "out"

    with pytest.raises(InvalidNameError):
        new_project(name, output_dir=output_dir)

    assert list(tmp_path.iterdir()) == []


def test_name_with_quotes_renders_valid_python_and_toml(tmp_path: Path) -> None:
    name = "Bob's Best (Iris) Service"

    result = new_project(name, output_dir=tmp_path, answers={"author_name": "Bob O'Brien"})

    assert result.project_dir == tmp_path / "bob-s-best-iris-service"
    python_files = sorted(result.project_dir.rglob("*.py"))
    assert python_files
    for path in python_files:
        source = path.read_text(encoding="utf-8")
        ast.parse(source, filename=str(path))
        compile(source, str(path), "exec")
    project = read_pyproject(result.project_dir)
    assert project["name"] == "bob-s-best-iris-service"
    assert project["authors"] == [{"name": "Bob O'Brien", "email": "you@example.com"}]


def test_name_with_quotes_is_the_app_title(tmp_path: Path) -> None:
    name = "Bob's Best (Iris) Service"

    result = new_project(name, output_dir=tmp_path)

    main = ast.parse((result.project_dir / "app" / "main.py").read_text(encoding="utf-8"))
    titles = [
        keyword.value.value
        for node in ast.walk(main)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "title" and isinstance(keyword.value, ast.Constant)
    ]
    assert titles == [name]
    assert read_record(result.project_dir)["answers"] == result.answers
    assert result.answers["project_name"] == name


def test_unicode_name_renders_and_keeps_the_display_name(tmp_path: Path) -> None:
    result = new_project("Café Ünïcode", output_dir=tmp_path)

    assert result.project_dir == tmp_path / "cafe-unicode"
    readme = (result.project_dir / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Café Ünïcode\n")
    assert read_pyproject(result.project_dir)["name"] == "cafe-unicode"


@pytest.mark.parametrize(
    "description",
    [r"Reads C:\Net\data files", 'Say """hi"""', "Bob's model: 100% <fast> & right"],
)
def test_any_description_renders_valid_python_and_toml(tmp_path: Path, description: str) -> None:
    result = new_project("Desc", output_dir=tmp_path, answers={"description": description})

    for path in sorted(result.project_dir.rglob("*.py")):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert read_pyproject(result.project_dir)["description"] == description


def test_template_syntax_in_an_answer_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(InvalidAnswerError):
        new_project("Inj", output_dir=tmp_path, answers={"description": "x {{ 7*7 }} y"})

    assert list(tmp_path.iterdir()) == []


def test_force_stops_before_writing_when_a_folder_is_where_a_file_goes(tmp_path: Path) -> None:
    target = tmp_path / "blocked"
    (target / "README.md").mkdir(parents=True)
    (target / "notes.txt").write_text("mine\n")
    before = snapshot(tmp_path)

    with pytest.raises(TargetExistsError, match=r"README\.md is a folder where a file goes"):
        new_project("Blocked", output_dir=tmp_path, on_conflict=OnConflict.FORCE)

    assert snapshot(tmp_path) == before


def test_force_stops_before_writing_when_a_file_is_where_a_folder_goes(tmp_path: Path) -> None:
    target = tmp_path / "blocked"
    target.mkdir()
    (target / "app").write_text("not a folder\n")
    before = snapshot(tmp_path)

    with pytest.raises(TargetExistsError, match="app is a file where a folder goes"):
        new_project("Blocked", output_dir=tmp_path, on_conflict=OnConflict.FORCE)

    assert snapshot(tmp_path) == before


def test_dry_run_shows_conflicts_without_writing(tmp_path: Path) -> None:
    target = tmp_path / "blocked"
    (target / "README.md").mkdir(parents=True)
    before = snapshot(tmp_path)

    result = new_project("Blocked", output_dir=tmp_path, on_conflict=OnConflict.FORCE, dry_run=True)

    actions = {change.path.as_posix(): change.action for change in result.changes}
    assert actions["README.md"] is Action.CONFLICT
    assert snapshot(tmp_path) == before


def test_skip_keeps_the_files_that_exist_and_writes_the_others(tmp_path: Path) -> None:
    target = tmp_path / "iris-service"
    target.mkdir()
    (target / "README.md").write_text("my own readme\n", encoding="utf-8")

    result = new_project("Iris Service", output_dir=tmp_path, on_conflict=OnConflict.SKIP)

    assert (target / "README.md").read_text(encoding="utf-8") == "my own readme\n"
    actions = {change.path.as_posix(): change.action for change in result.changes}
    assert actions["README.md"] is Action.SKIP
    assert (target / "app" / "main.py").is_file()


def test_the_record_is_written_last_so_a_killed_run_leaves_none(tmp_path: Path) -> None:
    result = new_project("Iris Service", output_dir=tmp_path)

    assert result.changes[-1].path == Path(RECORD_FILE)


def test_answers_that_clash_are_refused_before_the_first_question(tmp_path: Path) -> None:
    def ask(question: Question) -> str:
        raise AssertionError(f"asked {question.key}")

    with pytest.raises(InvalidAnswerError, match="kubernetes=yes needs docker=yes"):
        new_project(
            "Iris Service",
            output_dir=tmp_path,
            answers={"kubernetes": "yes", "docker": "no"},
            ask=ask,
        )


def test_no_rendered_hook_script_is_left_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))

    new_project("Iris Service", output_dir=tmp_path / "out")

    assert list(temporary.iterdir()) == []


def test_no_author_leaves_authors_out_of_pyproject(tmp_path: Path) -> None:
    result = new_project(
        "Iris Service", output_dir=tmp_path, answers={"author_name": "", "author_email": ""}
    )

    assert "authors" not in read_pyproject(result.project_dir)
