"""Plans of file changes: computed first, then printed (``--dry-run``) or applied.

Every command builds its whole plan, checks it for conflicts, and only then writes, so a
rejected run writes nothing.  The actions are the status words other generators print.
"""

from __future__ import annotations

import contextlib
import difflib
import enum
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fastml_scaffold import interrupts
from fastml_scaffold.errors import FastmlError


class Action(str, enum.Enum):
    CREATE = "create"
    OVERWRITE = "overwrite"
    IDENTICAL = "identical"
    CONFLICT = "conflict"
    SKIP = "skip"
    INSERT = "insert"
    SUBTRACT = "subtract"  # lines taken out of a file (Thor's word), as remove-endpoint does
    UNCHANGED = "unchanged"
    REMOVE = "remove"

    @property
    def writes(self) -> bool:
        return self in (
            Action.CREATE,
            Action.OVERWRITE,
            Action.INSERT,
            Action.SUBTRACT,
            Action.REMOVE,
        )


@dataclass(frozen=True)
class FileChange:
    """One file of a plan: its path relative to the plan's root, and what happens to it."""

    path: Path
    action: Action
    reason: str = ""  # for a conflict: why, and what to do about it
    content: str | bytes | None = None  # what to write (create, overwrite, insert): bytes
    # for a file that is not UTF-8 text, such as a model
    previous: str | None = None  # the text it replaces (overwrite, insert, remove)

    def diff(self) -> str:
        """A unified diff of the change, for ``--dry-run``."""
        name = self.path.as_posix()
        if isinstance(self.content, bytes):
            return f"Binary file b/{name}: {len(self.content)} bytes\n"
        before = (self.previous or "").splitlines(keepends=True)
        after = ("" if self.action is Action.REMOVE else self.content or "").splitlines(True)
        return "".join(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))


class OnConflict(str, enum.Enum):
    """What every command does with a file whose content is not what fastml expects (one
    that exists with other content, or one changed since fastml made it): the same
    ``--force`` and ``--skip`` options everywhere."""

    ERROR = "error"  # stop before the first write, saying which file and what to pass
    FORCE = "force"  # act on it anyway: overwrite it, or remove it
    SKIP = "skip"  # leave it as it is, and do the rest

    @classmethod
    def from_options(cls, *, force: bool, skip: bool) -> OnConflict:
        if force and skip:
            raise FastmlError("Choose one of --force and --skip.")
        return cls.FORCE if force else cls.SKIP if skip else cls.ERROR


def plan_file(
    root: Path,
    relative: Path,
    content: str | bytes,
    on_conflict: OnConflict,
    *,
    can_skip: bool = True,
) -> FileChange:
    """Plan writing a whole file: create it, or compare it with what is there."""
    clash = kind_clash(root, relative)
    if clash:
        return FileChange(relative, Action.CONFLICT, clash)
    path = root / relative
    if not path.exists() and not path.is_symlink():
        return FileChange(relative, Action.CREATE, content=content)
    previous = _read_for_diff(path)
    if path.is_file() and path.read_bytes() == _encoded(content):
        return FileChange(relative, Action.IDENTICAL)
    if on_conflict is OnConflict.FORCE:
        return FileChange(relative, Action.OVERWRITE, content=content, previous=previous)
    if on_conflict is OnConflict.SKIP:
        return FileChange(relative, Action.SKIP)
    skip = " or --skip to keep it" if can_skip else ""
    return FileChange(
        relative,
        Action.CONFLICT,
        f"{relative} exists with other content: pass --force to overwrite it{skip}",
    )


def plan_tree(source: Path, root: Path, on_conflict: OnConflict) -> list[FileChange]:
    """Plan writing every file under ``source`` (a rendered template) into ``root``."""
    return [
        plan_file(
            root,
            path.relative_to(source),
            _text_or_bytes(path.read_bytes()),  # as rendered: no newline translation
            on_conflict,
            can_skip=False,
        )
        for path in sorted(source.rglob("*"))
        if path.is_file()
    ]


def read_content(path: Path) -> str | bytes | None:
    """A file as plans hold it (its text when it is UTF-8, else its bytes), or None."""
    return _text_or_bytes(path.read_bytes()) if path.is_file() else None


def _text_or_bytes(data: bytes) -> str | bytes:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # a binary file, such as a model: copied as it is


def _encoded(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def plan_removal(root: Path, relative: Path, expected: str, on_conflict: OnConflict) -> FileChange:
    """Plan removing a file fastml made, if it is still as made (``expected``): one changed
    since is the owner's work, removed only with FORCE and kept with SKIP."""
    path = root / relative
    if not path.is_file():
        return FileChange(relative, Action.SKIP)
    previous = _read_for_diff(path)
    if path.read_bytes() != expected.encode("utf-8"):  # another encoding is a change too
        if on_conflict is OnConflict.SKIP:
            return FileChange(relative, Action.SKIP)
        if on_conflict is OnConflict.ERROR:
            return FileChange(
                relative,
                Action.CONFLICT,
                f"{relative} was changed since it was generated: "
                "pass --force to remove it anyway or --skip to keep it",
            )
    return FileChange(relative, Action.REMOVE, previous=previous)


def _read_for_diff(path: Path) -> str | None:
    if not path.is_file():
        return None
    return path.read_bytes().decode("utf-8", errors="replace")


def plan_edit(
    relative: Path, previous: str, content: str, action: Action = Action.INSERT
) -> FileChange:
    """Plan an edit inside a file: ``action`` when it changes it, ``unchanged`` otherwise."""
    if previous == content:
        return FileChange(relative, Action.UNCHANGED)
    return FileChange(relative, action, content=content, previous=previous)


def refuse_conflicts(changes: Sequence[FileChange], error: type[FastmlError] = FastmlError) -> None:
    """Stop before the first write when any change of the plan cannot be made, or would
    leave a Python file that does not compile."""
    for change in changes:
        if change.action is Action.CONFLICT:
            raise error(change.reason + ".")
    for change in changes:
        if change.action.writes and isinstance(change.content, str):
            check_compiles(change.path, change.content)


def check_compiles(path: Path, text: str) -> None:
    """Refuse a planned Python file that would not compile: exit 0 must mean working code."""
    why = compile_error(path, text)
    if why:
        raise FastmlError(
            f"{path.as_posix()} would not compile ({why}), so nothing was written: "
            "change the name or option that went into it."
        )


def compile_error(path: Path, source: str | bytes) -> str:
    """Why the Python file ``path`` with ``source`` does not compile ("" if it does, or if
    it is not Python): "invalid syntax, line 3"."""
    if path.suffix != ".py":
        return ""
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        where = f", line {exc.lineno}" if isinstance(exc, SyntaxError) and exc.lineno else ""
        return f"{exc.msg if isinstance(exc, SyntaxError) else exc}{where}"
    return ""


def apply_changes(root: Path, changes: Sequence[FileChange]) -> None:
    """Carry out a plan whose conflicts have all been ruled out, all or nothing: if a write
    fails (a full disk) or the run is interrupted, what was done is undone."""
    undo: list[Callable[[], None]] = []
    try:
        for change in changes:
            if change.action.writes:
                _apply(root, change, undo)
    except BaseException:
        with interrupts.held():
            for step in reversed(undo):
                with contextlib.suppress(OSError):
                    step()
        raise


def _apply(root: Path, change: FileChange, undo: list[Callable[[], None]]) -> None:
    """Make one change, having first noted in ``undo`` how to take it back."""
    path = root / change.path
    before = path.read_bytes() if path.is_file() else None
    created = _missing_folders(path.parent, root)

    def restore() -> None:
        if before is None:
            path.unlink(missing_ok=True)
        elif not path.is_file() or path.read_bytes() != before:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(before)
        for folder in created:  # deepest first
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    undo.append(restore)  # before acting: an interrupt from here on is undone too
    if change.action is Action.REMOVE:
        path.unlink()
        _remove_bytecode(path)
        _remove_empty_parents(path.parent, root)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, change.content or "")


def _missing_folders(folder: Path, root: Path) -> list[Path]:
    """The folders up to ``root`` that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write through a temporary file and a rename, so a file is never left half-written."""
    # Named before it exists, so an interrupt at any point knows what to remove.
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with temporary.open("xb") as stream:  # x: never someone else's file
            stream.write(_encoded(text))
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _remove_bytecode(source: Path) -> None:
    """Drop the compiled copies of a removed module, so its folder can go too."""
    cache = source.parent / "__pycache__"
    for compiled in cache.glob(f"{source.stem}.*.pyc"):
        compiled.unlink()
    if cache.is_dir() and not any(cache.iterdir()):
        cache.rmdir()


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def kind_clash(root: Path, relative: Path) -> str:
    """Why a file cannot go at ``relative`` whatever the options: a folder where the file
    goes, or a file where one of its folders goes.  fastml never deletes a user's folder."""
    outside = _link_leading_outside(root, relative)
    if outside is not None:
        return (
            f"{outside} is a symbolic link to {outside.resolve()}, outside {root}: "
            "fastml never writes through it; replace the link with a folder"
        )
    blocking = _file_in_the_way(root, relative)
    if blocking is not None:
        return f"{blocking} is a file where a folder goes: move it away"
    existing = root / relative
    if existing.is_dir() and not existing.is_symlink():
        return f"{existing} is a folder where a file goes: move it away"
    return ""


def _link_leading_outside(root: Path, relative: Path) -> Path | None:
    """The first folder of ``relative`` in ``root`` that is a symbolic link out of ``root``:
    writing through it would change files elsewhere."""
    inside = root.resolve()
    for parent in reversed(relative.parents[:-1]):  # shallowest first, "." excluded
        candidate = root / parent
        if candidate.is_symlink() and not candidate.resolve().is_relative_to(inside):
            return candidate
    return None


def _file_in_the_way(target: Path, relative: Path) -> Path | None:
    """The first parent folder of ``relative`` that exists in ``target`` as a non-folder."""
    for parent in reversed(relative.parents[:-1]):  # shallowest first, "." excluded
        candidate = target / parent
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return None
