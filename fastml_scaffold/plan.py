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


def compare_trees(source: Path, target: Path, *, force: bool) -> list[FileChange]:
    """Plan copying every file under ``source`` onto ``target``.

    A file that exists in ``target`` with other content is an ``overwrite`` when ``force``
    is set and a ``conflict`` otherwise.
    """
    changes = []
    for path in sorted(_files_under(source)):
        relative = path.relative_to(source)
        existing = target / relative
        if not existing.exists():
            action = Action.CREATE
        elif existing.is_file() and existing.read_bytes() == path.read_bytes():
            action = Action.IDENTICAL
        else:
            action = Action.OVERWRITE if force else Action.CONFLICT
        changes.append(FileChange(relative, action))
    return changes


def _files_under(root: Path) -> Iterable[Path]:
    return (path for path in root.rglob("*") if path.is_file() or path.is_symlink())
