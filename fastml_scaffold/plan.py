"""Plans of file changes: computed first, then printed (``--dry-run``) or applied.

Every command builds its whole plan, checks it for conflicts, and only then writes, so a
rejected run writes nothing.  The actions are the status words other generators print.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class Action(str, enum.Enum):
    CREATE = "create"
    OVERWRITE = "overwrite"
    IDENTICAL = "identical"
    CONFLICT = "conflict"
    SKIP = "skip"
    INSERT = "insert"
    UNCHANGED = "unchanged"
    REMOVE = "remove"

    @property
    def writes(self) -> bool:
        return self in (Action.CREATE, Action.OVERWRITE, Action.INSERT, Action.REMOVE)


@dataclass(frozen=True)
class FileChange:
    """One file of a plan: its path relative to the plan's root, and what happens to it."""

    path: Path
    action: Action
    reason: str = ""  # for a conflict: why, and what to do about it


def compare_trees(source: Path, target: Path, *, force: bool) -> list[FileChange]:
    """Plan copying every file under ``source`` onto ``target``.

    A file that exists in ``target`` with other content is an ``overwrite`` when ``force``
    is set and a ``conflict`` otherwise.  A folder where a file goes, or a file where a
    folder goes, is a conflict even with ``force``: fastml never deletes a user's folder.
    """
    changes = []
    for path in sorted(_files_under(source)):
        relative = path.relative_to(source)
        changes.append(_compare_file(path, target, relative, force=force))
    return changes


def _compare_file(path: Path, target: Path, relative: Path, *, force: bool) -> FileChange:
    blocking = _file_in_the_way(target, relative)
    if blocking is not None:
        return FileChange(
            relative, Action.CONFLICT, f"{blocking} is a file where a folder goes: move it away"
        )
    existing = target / relative
    if not existing.exists() and not existing.is_symlink():
        return FileChange(relative, Action.CREATE)
    if existing.is_dir() and not existing.is_symlink():
        return FileChange(
            relative, Action.CONFLICT, f"{existing} is a folder where a file goes: move it away"
        )
    if existing.is_file() and existing.read_bytes() == path.read_bytes():
        return FileChange(relative, Action.IDENTICAL)
    if force:
        return FileChange(relative, Action.OVERWRITE)
    return FileChange(relative, Action.CONFLICT, f"{existing} exists: pass --force to overwrite it")


def _file_in_the_way(target: Path, relative: Path) -> Path | None:
    """The first parent folder of ``relative`` that exists in ``target`` as a non-folder."""
    for parent in reversed(relative.parents[:-1]):  # shallowest first, "." excluded
        candidate = target / parent
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return None


def _files_under(root: Path) -> Iterable[Path]:
    return (path for path in root.rglob("*") if path.is_file() or path.is_symlink())
