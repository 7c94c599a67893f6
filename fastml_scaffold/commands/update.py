"""``fastml update``: bring a project to the current template, keeping its owner's changes.

A three-way merge, file by file: the base is the template the project was made with,
rendered with its recorded answers; theirs is the new template with the same answers
(changed by ``--set``); ours is the project as it is.  Files the owner did not touch take
the new version, files only the owner changed stay, files both changed are merged by
``git merge-file`` (every git has it, and it writes inline conflict markers, never .rej
files).  The plan goes through the same applier as ``new``: all or nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from fastml_scaffold import interrupts, versions
from fastml_scaffold.endpoints import recorded_endpoints
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.plan import (
    Action,
    FileChange,
    apply_changes,
    compile_error,
    kind_clash,
    plan_edit,
    read_content,
)
from fastml_scaffold.project import RECORD_FILE, Project


@dataclass(frozen=True)
class FileUpdate:
    """What the update does to one file, and why."""

    path: Path
    kind: str  # create, update, merge, conflict, remove, keep
    change: FileChange
    note: str = ""


@dataclass(frozen=True)
class UpdateResult:
    root: Path
    old: str
    new: str
    files: list[FileUpdate] = field(default_factory=list)
    dry_run: bool = False
    finishing: bool = False  # a run that finishes an update that left conflicts

    @property
    def changed(self) -> bool:
        return any(f.change.action.writes for f in self.files)

    @property
    def conflicts(self) -> list[Path]:
        return [f.path for f in self.files if f.kind == "conflict"]


def update_project(
    project: Path | None = None,
    *,
    to: str | None = None,
    answers: Mapping[str, str] | None = None,
    dry_run: bool = False,
    force: bool = False,
) -> UpdateResult:
    """Update the project at (or above) ``project`` to template ``to`` (the current one)."""
    found = Project.find(project or Path.cwd())
    found.check_renderable()
    if shutil.which("git") is None:
        raise FastmlError("fastml update merges with git merge-file: install git first.")
    pending = found.others.get("update")
    if isinstance(pending, dict):  # a run that left conflicts: finish it
        if to or answers:
            raise FastmlError(
                f"An update to template {pending.get('to')} is waiting for its conflicts: "
                "resolve them and run fastml update again, without --to or --set."
            )
        return _finish(found, pending, dry_run=dry_run)
    old, new = found.template_version, versions.CURRENT if to is None else to
    for version in (old, new):
        if version not in versions.released():
            raise FastmlError(
                f"fastml knows no template {version} (it knows "
                f"{', '.join(versions.released())}): upgrade fastml."
            )
    if versions.key(new) < versions.key(old):
        raise FastmlError(f"{found.root} is on template {old}, newer than {new}.")
    new_answers = answers_for(found, answers or {}, new)
    if not dry_run:
        _check_safety_net(found.root, force=force)
    # The conflicts' label of the new side: "template 0.2.0 with metrics=yes" after --set.
    changed = [f"{k}={v}" for k, v in (answers or {}).items() if found.answers.get(k) != v]
    target = f"{new} with {', '.join(changed)}" if changed else new
    with interrupts.scratch_folder("fastml-update-") as work:
        base, theirs, paths = render_both(found, old, new, new_answers, work)
        files = [
            _plan(found.root, path, base / path, theirs / path, old, target, work) for path in paths
        ]
    _check_collisions(found.root, files)
    result = UpdateResult(found.root, old, new, files, dry_run)
    changes = [f.change for f in files if f.change.action.writes]
    if result.conflicts:  # the record moves on only once they are resolved (_finish)
        state = {
            "to": new,
            "answers": new_answers,
            "conflicts": _posix(result.conflicts),
            # Marker-like lines the files had already (a README explaining conflicts).
            "markers": {
                p.as_posix(): _marker_lines(read_content(found.root / p)) for p in result.conflicts
            },
        }
        record = replace(found, others={**found.others, "update": state})
    else:
        others = {**found.others, "template_version": new}
        record = replace(found, answers=new_answers, others=others)
    record_change = plan_edit(Path(RECORD_FILE), found.text, record.record_text(), Action.OVERWRITE)
    if record_change.action.writes:  # listed too: a dry run shows it, a no-op has none
        result.files.append(FileUpdate(record_change.path, "update", record_change))
        changes.append(record_change)
    if not dry_run:
        _apply(found.root, changes)
    return result


def render_both(
    project: Project, old: str, new: str, answers: Mapping[str, str], work: Path
) -> tuple[Path, Path, list[Path]]:
    """The project as template ``old`` made it (its recorded answers and endpoints) and as
    template ``new`` makes it with ``answers``, rendered into ``work``; and every file path
    of either but the record: what update merges and check diffs."""
    from fastml_scaffold.commands.new import render_version

    model, endpoints = project.others.get("model"), recorded_endpoints(project)
    before = render_version(old, project.answers, work / "before", model, endpoints, made_with=True)
    after = render_version(new, answers, work / "after", model, endpoints)
    paths = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    paths |= {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    return before, after, sorted(path for path in paths if path.name != RECORD_FILE)


def _apply(root: Path, changes: list[FileChange]) -> None:
    try:
        apply_changes(root, changes)  # all or nothing
    except OSError as exc:  # a read-only folder, a folder where a file goes
        raise FastmlError(
            f"Cannot write {exc.filename or root}: {exc.strerror}. Nothing was changed."
        ) from None


def _finish(found: Project, pending: dict[str, object], *, dry_run: bool) -> UpdateResult:
    """The second run after conflicts: once no conflict marker is left in the files it
    listed, the project is on the new template and its record says so."""
    new, conflicts, answers = pending.get("to"), pending.get("conflicts"), pending.get("answers")
    markers = pending.get("markers", {})
    if (
        new not in versions.released()
        or not isinstance(markers, dict)
        or not all(isinstance(count, int) for count in markers.values())
        or not isinstance(conflicts, list)
        or not all(isinstance(path, str) for path in conflicts)
        or not all(_inside(found.root, path) for path in conflicts)
        or not isinstance(answers, dict)
        or not all(isinstance(v, str) for v in answers.values())
        or not answers.get("project_name")
    ):
        raise FastmlError(
            f"{found.root / RECORD_FILE} is damaged: its pending update is not what fastml "
            "wrote. Restore the file from git."
        )
    files = [
        FileUpdate(Path(path), "conflict", FileChange(Path(path), Action.UNCHANGED), why)
        for path in conflicts
        if (why := _unresolved(found.root / path, markers.get(path, 0)))
    ]
    left = [update.path for update in files]
    result = UpdateResult(found.root, found.template_version, new, files, dry_run, True)
    if not left:
        others = {k: v for k, v in found.others.items() if k != "update"}
        record = replace(found, answers=dict(answers), others={**others, "template_version": new})
        change = plan_edit(Path(RECORD_FILE), found.text, record.record_text())
        if not dry_run and change.action.writes:
            _apply(found.root, [change])
    return result


def _inside(root: Path, relative: str) -> bool:
    return (root / relative).resolve().is_relative_to(root.resolve())


# The lines git merge-file --diff3 writes around a conflict, with update's labels.
MARKERS = ("<<<<<<< your project", "||||||| template ", ">>>>>>> template ")


def _marker_lines(text: str | bytes | None) -> int:
    if not isinstance(text, str):  # no file, or not UTF-8: no markers git merge-file wrote
        return 0
    return sum(1 for line in text.splitlines() if line.startswith(MARKERS))


def _unresolved(path: Path, had: int) -> str:
    """Why a file that had conflicts is not resolved yet ("" when it is): more marker
    lines than it had before the update, or Python that does not compile."""
    text = read_content(path)
    if _marker_lines(text) > had:
        return "conflict markers left"
    why = compile_error(path, text) if text is not None else ""
    return f"does not compile ({why})" if why else ""


def _posix(paths: list[Path]) -> list[str]:
    return [path.as_posix() for path in paths]


def answers_for(found: Project, given: Mapping[str, str], version: str) -> dict[str, str]:
    """The project's answers with ``given`` (--set), checked as new checks them: each a
    question of template ``version``, in its choices and formats, all within its rules.
    An answer the template no longer offers (python_version=3.10) must be changed."""
    from fastml_scaffold.answers import check_answers, check_combinations
    from fastml_scaffold.commands.new import TEMPLATE_NAME
    from fastml_scaffold.templates import load_template

    if "project_name" in given:
        raise FastmlError("The project's name cannot change through --set.")
    with versions.templates_of(version) as templates:
        spec = load_template(TEMPLATE_NAME, templates)
    check_answers(spec, given, source="--set")
    answers = {**found.answers, **given}
    for key, value in answers.items():
        choices = spec.questions[key].choices if key in spec.questions else ()
        if choices and value not in choices:
            raise FastmlError(
                f"Template {version} no longer offers {key}={value} (it offers "
                f"{', '.join(choices)}): choose one with --set {key}={choices[0]}."
            )
    check_combinations({k: v for k, v in answers.items() if k in spec.questions}, spec.rules)
    if "model_framework" in given:  # model_file follows it, as in new
        if found.others.get("model"):
            raise FastmlError(
                "This project serves its own model (fastml new --model): its framework "
                "cannot change through --set."
            )
        answers.pop("model_file", None)  # derived by the template when it has no rule
        model_file = spec.rules.model_files.get(given["model_framework"])
        if model_file:
            answers["model_file"] = model_file
    return answers


def _check_safety_net(root: Path, *, force: bool) -> None:
    """A git work tree with every change committed, so the owner can see and undo it all."""
    if _git(root, "rev-parse", "--is-inside-work-tree") != "true":
        if not force:
            raise FastmlError(
                f"{root} is not in a git work tree: update rewrites files that only git "
                "would give back. Commit the project to git first, or pass --force."
            )
        return
    tracked = _git(root, "ls-files", "--", RECORD_FILE)
    if not tracked and not force:
        raise FastmlError(
            f"{root} is not committed to git (its {RECORD_FILE} is not tracked): commit the "
            "project first, or pass --force."
        )
    if _git(root, "status", "--porcelain", "--", ".") and not force:
        raise FastmlError(
            f"{root} has uncommitted changes: commit or stash them first, so the update's "
            "changes are all you see in git diff."
        )


def _git(root: Path, *args: str) -> str:
    process = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
    )
    return process.stdout.strip() if process.returncode == 0 else ""


def _check_collisions(root: Path, files: list[FileUpdate]) -> None:
    """Before anything is written (and in a dry run): a file the update writes where the
    project has a folder, a folder where it has a file, or a link out of the project."""
    for update in files:
        clash = kind_clash(root, update.path) if update.kind != "keep" else ""
        if clash:
            raise FastmlError(f"{clash}, then update again. Nothing was changed.")


def _plan(
    root: Path, path: Path, base: Path, theirs: Path, old: str, new: str, work: Path
) -> FileUpdate:
    ours = root / path
    if ours.is_symlink():
        return FileUpdate(
            path, "keep", FileChange(path, Action.SKIP), "a symbolic link: not updated"
        )
    b, t, o = read_content(base), read_content(theirs), read_content(ours)
    if ours.is_dir() and t in (None, b):  # a folder of the owner's, the template unchanged
        return FileUpdate(path, "keep", FileChange(path, Action.SKIP), "a folder of yours")
    crlf = False
    if isinstance(o, str) and "\r\n" in o and o.count("\r\n") == o.count("\n"):
        # A Windows checkout: merge as LF, write CRLF.  (A few CRLF lines stay as they are.)
        crlf, o = True, o.replace("\r\n", "\n")
    update = _plan_contents(path, b, t, o, old, new, work)
    content = update.change.content
    if crlf and isinstance(content, str):
        change = replace(update.change, content=content.replace("\n", "\r\n"))
        return replace(update, change=change)
    return update


def _plan_contents(
    path: Path,
    b: str | bytes | None,
    t: str | bytes | None,
    o: str | bytes | None,
    old: str,
    new: str,
    work: Path,
) -> FileUpdate:
    if o is None:  # the owner deleted it (or never had it)
        if t is None:
            return _keep(path)
        if b is None:
            return FileUpdate(path, "create", FileChange(path, Action.CREATE, content=t))
        note = "you deleted it; the template changed it" if t != b else ""
        return FileUpdate(path, "keep", FileChange(path, Action.SKIP), note)
    if t is None:  # the template removed it
        if o == b:
            return FileUpdate(path, "remove", FileChange(path, Action.REMOVE, previous=_text(o)))
        return FileUpdate(path, "keep", FileChange(path, Action.SKIP), "changed by you")
    if o == t:
        return _keep(path)
    if b == o:  # only the template changed it
        change = FileChange(path, Action.OVERWRITE, content=t, previous=_text(o))
        return FileUpdate(path, "update", change)
    if b == t:  # only the owner changed it
        return _keep(path)
    if any(isinstance(x, bytes) for x in (b, t, o)):  # never merged: the owner decides
        note = "not UTF-8 text, so not merged: bring in the template's change by hand"
        return FileUpdate(path, "conflict", FileChange(path, Action.SKIP), note)
    merged, conflicts = _merge(o, b or "", t, old, new, work)  # type: ignore[arg-type]
    change = FileChange(path, Action.OVERWRITE, content=merged, previous=_text(o))
    if conflicts:
        return FileUpdate(path, "conflict", change, f"{conflicts} conflict(s) marked")
    return FileUpdate(path, "merge", change)


def _keep(path: Path) -> FileUpdate:
    return FileUpdate(path, "keep", FileChange(path, Action.UNCHANGED))


def _text(value: str | bytes | None) -> str | None:
    return value if isinstance(value, str) else None


def _merge(ours: str, base: str, theirs: str, old: str, new: str, work: Path) -> tuple[str, int]:
    """``git merge-file``: the merged text, and how many conflicts it marked."""
    files = []
    for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
        file = work / f"merge-{name}"
        file.write_bytes(text.encode("utf-8"))
        files.append(str(file))
    labels = ["-L", "your project", "-L", f"template {old}", "-L", f"template {new}"]
    process = subprocess.run(  # --diff3: a conflict shows the base too, so the owner sees
        ["git", "merge-file", "-p", "--diff3", *labels, *files],  # what the template changed
        capture_output=True,
        check=False,
    )
    if process.returncode >= 128:  # git's -1: an error, not a count of conflicts
        raise FastmlError(f"git merge-file failed: {process.stderr.decode(errors='replace')}")
    return process.stdout.decode("utf-8"), process.returncode
