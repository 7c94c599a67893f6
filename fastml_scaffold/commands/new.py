"""``fastml new``: render the project template into a new folder, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from fastml_scaffold import __version__, versions
from fastml_scaffold.answers import (
    check_answers,
    check_combinations,
    is_relevant,
    read_config_file,
)
from fastml_scaffold.endpoints import EndpointSpec, add_to_rendering
from fastml_scaffold.errors import (
    FastmlError,
    InvalidAnswerError,
    TargetExistsError,
    TemplateError,
)
from fastml_scaffold.models import ImportedModel, template_context
from fastml_scaffold.naming import ProjectNames, derive_names
from fastml_scaffold.plan import (
    FileChange,
    OnConflict,
    apply_changes,
    plan_tree,
    refuse_conflicts,
)
from fastml_scaffold.project import RECORD_FILE, new_record
from fastml_scaffold.templates import Question, TemplateSpec, load_template

TEMPLATE_NAME = "project"
# Each run renders into a folder of this prefix beside its target, then moves the files out.
STAGING_PREFIX = ".fastml-new-"
STALE_AFTER_S = 3600  # a render takes seconds: a staging folder this old is a leftover


@runtime_checkable
class Prompter(Protocol):
    """Asks a person, who may get an answer wrong: each question comes with its place in
    the interview, and again with ``problem``, the reason its last answer was refused."""

    def ask(self, question: Question, *, number: int, total: int, problem: str | None) -> str:
        """The answer to ``question``, the ``number``-th of ``total`` to ask."""
        ...


# Asks each question the user has not answered yet; returns the answer.  A Prompter is
# asked again until its answer is valid; a plain function's invalid answer stops new_project.
Asker = Callable[[Question], str] | Prompter


@dataclass(frozen=True)
class NewResult:
    """What ``new_project`` did (or, with ``dry_run``, would do)."""

    project_dir: Path
    names: ProjectNames
    answers: dict[str, str]
    changes: list[FileChange] = field(default_factory=list)
    dry_run: bool = False
    removed_leftovers: list[Path] = field(default_factory=list)  # of runs that died
    model: ImportedModel | None = None  # the user's model it serves, if not the demo


def new_project(
    name: str,
    *,
    output_dir: Path = Path("."),
    answers: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    on_conflict: OnConflict = OnConflict.ERROR,
    dry_run: bool = False,
    ask: Asker | None = None,
    model: ImportedModel | None = None,
) -> NewResult:
    """Generate the serving project ``name`` in ``output_dir/<slug>``.

    Answers come from ``config_file`` (YAML), then ``answers`` (``--set``), then ``ask`` for
    the questions left, then the template's defaults.  With ``model``, the project serves
    that model instead of the demo.  Everything is checked before the first write; the
    project is rendered beside its target and moved into place at the end.
    """
    spec = load_template(TEMPLATE_NAME)
    names = derive_names(name)
    given = _given_answers(spec, answers or {}, config_file)
    if model is not None:
        given = _model_answers(given, model)
    resolved = _resolve_answers(spec, names, given, ask)
    if model is not None:
        _check_python(model, resolved["python_version"], spec.questions["python_version"].choices)
        resolved["model_file"] = model.file_name
    target = output_dir / names.slug
    try:
        _check_target(target, on_conflict)
        leftovers = [] if dry_run else _remove_stale_staging(_existing_ancestor(output_dir))
        changes = _generate(spec, resolved, target, on_conflict, dry_run=dry_run, model=model)
    except OSError as exc:  # a read-only or full disk, a folder we may not enter
        raise FastmlError(f"Cannot write {exc.filename or target}: {exc.strerror}.") from None
    return NewResult(target, names, resolved, changes, dry_run, leftovers, model)


def _generate(
    spec: TemplateSpec,
    answers: dict[str, str],
    target: Path,
    on_conflict: OnConflict,
    *,
    dry_run: bool,
    model: ImportedModel | None = None,
) -> list[FileChange]:
    """Render into a staging folder beside the target, plan its files into the target, and
    apply the plan (all or nothing)."""
    staging_parent = _existing_ancestor(target.parent) if not dry_run else None
    # The pid in the name tells a later run whether this one is still going.
    prefix = f"{STAGING_PREFIX}{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=staging_parent))
    try:
        context = template_context(model) if model is not None else {}
        rendered = _render(spec, {**answers, "_model": context}, staging)
        record = new_record(rendered, answers, __version__)
        record.others["template_version"] = versions.CURRENT  # what fastml check compares
        if model is not None:
            _copy_model(model, rendered / "models" / model.file_name)
            record.others["model"] = context  # what the project was rendered from
        record.save()
        # The record last: a run killed midway (SIGKILL) leaves no record, so the half
        # project is not taken for a fastml project by the next `new --force`.
        changes = sorted(
            plan_tree(rendered, target, on_conflict),
            key=lambda change: change.path == Path(RECORD_FILE),
        )
    finally:
        _remove_staging(staging)
    if not dry_run:
        refuse_conflicts(changes, TargetExistsError)  # and every Python file compiles
        apply_changes(target, changes)
    return changes


def _model_answers(given: dict[str, str], model: ImportedModel) -> dict[str, str]:
    """The answers with the model's framework, which --model decides."""
    framework = model.spec.framework
    if given.get("model_framework", framework) != framework:
        raise InvalidAnswerError(
            f"--model gives a {framework} model: leave model_framework out, or set it to "
            f"{framework}."
        )
    library = {"sklearn": "a scikit-learn", "onnx": "an ONNX"}[framework]
    description = f"Serves {library} {model.spec.task.value} over HTTP with FastAPI."
    return {"description": description, **given, "model_framework": framework}


def _check_python(model: ImportedModel, python: str, offered: Sequence[str]) -> None:
    """Refuse a Python that the libraries pinned for the model do not run on."""
    newest = model.spec.newest_python
    if not newest or _version_key(python) <= _version_key(newest):
        return
    pins = ", ".join(f"{name}{pin}" for name, pin in model.spec.pins.items())
    fits = [choice for choice in offered if _version_key(choice) <= _version_key(newest)]
    fix = (
        f"set python_version to {' or '.join(fits)}"
        if fits
        else f"no Python the template offers ({', '.join(offered)}) does"
    )
    raise InvalidAnswerError(
        f"The model needs {pins}, which runs on Python {newest} at the newest: {fix}; or "
        "save the model with a newer release."
    )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _copy_model(model: ImportedModel, destination: Path) -> None:
    try:
        if model.path.is_dir():
            shutil.copytree(model.path, destination)
        else:
            shutil.copyfile(model.path, destination)
    except OSError as exc:
        raise FastmlError(f"Cannot copy {model.path}: {exc.strerror or exc}.") from None


def _remove_staging(staging: Path) -> None:
    """Remove the staging folder, even if a second interrupt arrives while it goes."""
    try:
        shutil.rmtree(staging, ignore_errors=True)
    except KeyboardInterrupt:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _remove_stale_staging(folder: Path) -> list[Path]:
    """Remove the staging folders of earlier runs that died before cleaning up (SIGKILL,
    power loss): their process is gone, or they are older than any render takes."""
    removed = []
    for staging in folder.glob(f"{STAGING_PREFIX}*"):
        if staging.is_dir() and not staging.is_symlink() and _is_stale(staging):
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(staging)
    return removed


def _is_stale(staging: Path) -> bool:
    if time.time() - staging.stat().st_mtime > STALE_AFTER_S:
        return True
    pid_text, sep, _ = staging.name.removeprefix(STAGING_PREFIX).partition("-")
    if not (sep and pid_text.isdigit()):
        return False  # not ours to judge until it is old
    try:
        os.kill(int(pid_text), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, run by someone else
    return False


def _given_answers(
    spec: TemplateSpec, answers: Mapping[str, str], config_file: Path | None
) -> dict[str, str]:
    given: dict[str, str] = {}
    if config_file is not None:
        from_file = read_config_file(config_file)
        from_file.pop("project_name", None)  # the NAME argument names the project
        check_answers(spec, from_file, source=str(config_file))
        given.update(from_file)
    if "project_name" in answers:
        raise FastmlError("Give the project name as the NAME argument, not with --set.")
    check_answers(spec, answers, source="--set")
    given.update(answers)
    check_combinations(given, spec.rules, partial=True)  # before the first question
    return given


def _resolve_answers(
    spec: TemplateSpec, names: ProjectNames, given: dict[str, str], ask: Asker | None
) -> dict[str, str]:
    resolved: dict[str, str] = {}
    asked = 0
    for key, question in spec.questions.items():
        if key == "project_name":
            resolved[key] = names.display_name
        elif key in given:
            resolved[key] = given[key]
        elif ask is not None and is_relevant(key, resolved, spec.rules):
            asked += 1
            known = {**given, **resolved}
            total = asked + _left_to_ask(spec, key, known)
            resolved[key] = _answer(spec, question, ask, known, number=asked, total=total)
        else:
            resolved[key] = question.default
    check_answers(spec, {k: v for k, v in resolved.items() if k != "project_name"}, source="answer")
    check_combinations(resolved, spec.rules)
    resolved.update(
        project_slug=names.slug,
        env_prefix=names.env_prefix,
        model_file=spec.rules.model_files[resolved["model_framework"]],
    )
    return resolved


def _left_to_ask(spec: TemplateSpec, after: str, known: Mapping[str, str]) -> int:
    """How many questions after ``after`` will be asked, as far as the answers so far tell."""
    keys = list(spec.questions)
    return sum(
        1
        for key in keys[keys.index(after) + 1 :]
        if key not in known and is_relevant(key, known, spec.rules)
    )


def _answer(
    spec: TemplateSpec,
    question: Question,
    ask: Asker,
    known: Mapping[str, str],
    *,
    number: int,
    total: int,
) -> str:
    """Ask until the answer is valid on its own and with the answers known so far."""
    problem = None
    while True:
        if isinstance(ask, Prompter):
            value = ask.ask(question, number=number, total=total, problem=problem)
        elif problem is not None:
            raise InvalidAnswerError(problem)  # a plain function cannot be told why
        else:
            value = ask(question)
        problem = _answer_problem(spec, question, value, known)
        if problem is None:
            return value


def _answer_problem(
    spec: TemplateSpec, question: Question, value: str, known: Mapping[str, str]
) -> str | None:
    """Why ``value`` cannot answer ``question``, or None if it can."""
    try:
        check_answers(spec, {question.key: value}, source="answer")
    except InvalidAnswerError as exc:
        return str(exc)
    clash = _clash({**known, question.key: value}, spec)
    # Blame this answer only if another one would do.  A clash that every answer meets
    # waits on a question still to come (--set kubernetes=yes while docker is unasked), and
    # the check after the last question reports it if it is still there.
    others = (choice for choice in question.choices if choice != value)
    if clash is not None and any(_clash({**known, question.key: c}, spec) is None for c in others):
        return clash
    return None


def _clash(answers: Mapping[str, str], spec: TemplateSpec) -> str | None:
    try:
        check_combinations(answers, spec.rules)
    except InvalidAnswerError as exc:
        return str(exc)
    return None


def _check_target(target: Path, on_conflict: OnConflict) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetExistsError(f"{target} exists and is not a folder: choose another name.")
    if (target / RECORD_FILE).exists():
        # Even with --force: rendering over it would reset app/main.py and drop the
        # record of its endpoints, orphaning their routers.
        raise TargetExistsError(
            f"{target} already holds a fastml project: new never overwrites one, even with "
            "--force. To change an answer, edit the files it affects by hand; to start "
            "afresh, choose another name or --output-dir."
        )
    if target.is_dir() and any(target.iterdir()) and on_conflict is OnConflict.ERROR:
        raise TargetExistsError(
            f"{target} already exists and is not empty: choose another name or "
            "--output-dir, or pass --force to overwrite the files fastml generates or --skip "
            "to keep those that exist."
        )
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise TargetExistsError(f"{parent} is a file, not a folder: fix --output-dir.")
            break


def _existing_ancestor(path: Path) -> Path:
    path = path.resolve()
    while not path.exists():
        path = path.parent
    return path


def render_version(
    version: str,
    answers: Mapping[str, str],
    staging: Path,
    model: Mapping[str, object] | None = None,
    endpoints: Sequence[EndpointSpec] = (),
    *,
    made_with: bool = False,
) -> Path:
    """The project template of ``version`` rendered with a project's recorded ``answers``
    (and ``model`` context) into ``staging``, then given its ``endpoints`` the way
    add-endpoint adds them with that version's endpoint templates; for fastml update and
    check.  Answers that template does not ask are left out, and questions it added take
    their defaults.  ``made_with``: the version the project was made with, which accepted
    its endpoints: their names are not checked against it."""
    with versions.templates_of(version) as templates:
        spec = load_template(TEMPLATE_NAME, templates)
        check_version_answers(spec, version, answers)
        known = {**spec.questions, **dict.fromkeys(spec.derived)}
        given: dict[str, object] = {k: v for k, v in answers.items() if k in known}
        if model:
            given["_model"] = dict(model)
        staging.mkdir(parents=True, exist_ok=True)
        rendered = _render(spec, given, staging, hooks=False)  # the answers are checked above
        for endpoint in endpoints:
            add_to_rendering(
                rendered,
                endpoint,
                env_prefix=str(given.get("env_prefix", "")),
                auth=given.get("auth") == "api_key",
                version=version,
                templates=templates,
                check=not made_with,
            )
        return rendered


def check_version_answers(spec: TemplateSpec, version: str, answers: Mapping[str, str]) -> None:
    """Answers that template ``version`` (``spec``) can render, checked before Cookiecutter
    or its hook sees them: a choice it offers, each in its format, together within its
    rules.  A value an older template offered (python_version=3.10) is refused here, in one
    line."""
    asked = {key: value for key, value in answers.items() if key in spec.questions}
    try:
        check_answers(spec, asked, source=f"template {version}")
        check_combinations(asked, spec.rules)
    except InvalidAnswerError as exc:
        raise InvalidAnswerError(f"The project's answers do not fit: {exc}") from None


def _render(
    spec: TemplateSpec, answers: Mapping[str, object], staging: Path, *, hooks: bool = True
) -> Path:
    """Render with Cookiecutter into ``staging`` and return the rendered project folder.
    Without ``hooks`` (a rendering that only its files are read from: update's, check's),
    no empty folder is pruned, and no child process starts to catch a Ctrl-C midway."""
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter
    from jinja2 import TemplateError as JinjaError

    # Our own config, so a user's ~/.cookiecutterrc cannot change the output and the
    # replay file Cookiecutter always writes lands in the staging folder, not in $HOME.
    config = {"replay_dir": str(staging / ".replay"), "cookiecutters_dir": str(staging)}
    # Cookiecutter writes each rendered hook script, answers and all, to a temporary file
    # that it never removes: into the staging folder with them, which is removed.
    temporary_folder, tempfile.tempdir = tempfile.tempdir, str(staging)
    try:
        rendered = cookiecutter(
            str(spec.path),
            no_input=True,
            extra_context=answers,
            output_dir=str(staging / "out"),
            default_config=config,  # a dict of settings replaces the user config
            accept_hooks=hooks,  # only the template's own: it prunes folders left empty
        )
    except (CookiecutterException, JinjaError) as exc:
        raise TemplateError(f"Rendering template {spec.path.name!r} failed: {exc}") from exc
    finally:
        tempfile.tempdir = temporary_folder
    return Path(rendered)
