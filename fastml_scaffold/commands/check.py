"""``fastml check``: is a project on the current template?  For CI; it never writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastml_scaffold import interrupts, versions
from fastml_scaffold.errors import FastmlError
from fastml_scaffold.plan import Action, FileChange, read_content
from fastml_scaffold.project import Project


@dataclass(frozen=True)
class CheckResult:
    """The template version a project was made with, against fastml's current one."""

    root: Path
    version: str
    current: str
    diff: str = ""  # what the template changed since, with the project's answers
    pending: str = ""  # the version an update that waits for its conflicts goes to

    @property
    def up_to_date(self) -> bool:
        return self.version == self.current and not self.pending


def check_project(project: Path | None = None, *, diff: bool = False) -> CheckResult:
    """Compare the project at (or above) ``project`` with the current template; with
    ``diff``, render both versions with its answers and diff them."""
    found = Project.find(project or Path.cwd())
    found.check_renderable()
    version = found.template_version
    if version not in versions.released():
        raise FastmlError(
            f"{found.root} was made with template {version}, which this fastml does not know "
            f"(it knows {', '.join(versions.released())}): upgrade fastml."
        )
    text = ""
    if diff and version != versions.CURRENT:
        text = template_diff(found, version, versions.CURRENT)
    waiting = found.others.get("update")
    pending = str(waiting.get("to", "")) if isinstance(waiting, dict) else ""
    return CheckResult(found.root, version, versions.CURRENT, text, pending)


def template_diff(project: Project, old: str, new: str) -> str:
    """A unified diff of the project's files as template ``old`` and template ``new``
    render them with its answers and endpoints (its own edits aside)."""
    from fastml_scaffold.commands.update import answers_for, render_both

    answers = answers_for(project, {}, new)  # as update takes them: says which to change
    with interrupts.scratch_folder("fastml-check-") as work:
        before, after, paths = render_both(project, old, new, answers, work)
        return "".join(
            _file_diff(path, read_content(before / path), read_content(after / path))
            for path in paths
        )


def _file_diff(path: Path, before: str | bytes | None, after: str | bytes | None) -> str:
    if before == after:
        return ""
    if isinstance(before, bytes) or isinstance(after, bytes):
        return f"Binary file {path.as_posix()} differs\n"
    action = (
        Action.CREATE if before is None else Action.REMOVE if after is None else Action.OVERWRITE
    )
    return FileChange(path, action, content=after, previous=before).diff()
