"""A project made by ``fastml new``: where it is, and its record, ``.fastml.json``.

The record says how the project was made (the fastml version and the answers) and which
endpoints ``add-endpoint`` made since.  This module is the only one that reads or writes
it, and it checks the record's shape when it reads it: the file is in the owner's hands,
and a hand edit must get a one-line answer, not a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fastml_scaffold.errors import FastmlError
from fastml_scaffold.naming import derive_endpoint_names

RECORD_FILE = ".fastml.json"
MAX_RECORD_BYTES = 1 << 20  # a record is a few hundred bytes; anything this big is not one
# What one endpoint's entry may hold: its fields and their types ("name" and "kind" needed).
ENDPOINT_FIELDS: dict[str, type] = {
    "name": str,
    "kind": str,
    "method": str,
    "path": str,
    "port": int,
}
ENDPOINT_KINDS = ("route", "resource", "listener")
ENDPOINT_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class DamagedRecordError(FastmlError):
    """``.fastml.json`` is unreadable or not the shape fastml wrote."""


@dataclass(frozen=True)
class Project:
    """A generated project: its folder, its answers, and the endpoints it was given."""

    root: Path
    fastml_version: str
    answers: dict[str, str]
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)  # by module name
    template: str = "project"
    others: dict[str, Any] = field(default_factory=dict)  # keys someone else added: kept
    text: str = ""  # the record as read, which a plan's edit of it replaces

    @classmethod
    def find(cls, start: Path) -> Project:
        """The project that holds ``start``: the nearest folder up with a record."""
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / RECORD_FILE).is_file():
                return cls.load(folder)
        raise FastmlError(
            f"{start} is not inside a project made by fastml new (no {RECORD_FILE} found): "
            "run the command in the project, or pass --project."
        )

    @classmethod
    def load(cls, root: Path) -> Project:
        """Read and check the record of the project at ``root``."""
        path = root / RECORD_FILE
        text = read_text(path, limit=MAX_RECORD_BYTES)
        record = _parse(path, text)
        answers = record.get("answers")
        if not isinstance(answers, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in answers.items()
        ):
            raise _damaged(path, "its answers are not a mapping of question to text")
        version = record.get("fastml_version", "")
        if not isinstance(version, str):
            raise _damaged(path, "its fastml_version is not text")
        endpoints = record.get("endpoints") or {}
        if not isinstance(endpoints, dict):
            raise _damaged(path, "its endpoints are not a mapping")
        for module, entry in endpoints.items():
            _check_endpoint(path, module, entry)
        ours = {"answers", "fastml_version", "endpoints", "template"}
        others = {key: value for key, value in record.items() if key not in ours}
        template = str(record.get("template", "project"))
        return cls(root, version, answers, endpoints, template, others, text)

    @property
    def record_path(self) -> Path:
        return self.root / RECORD_FILE

    @property
    def env_prefix(self) -> str:
        return self.answers.get("env_prefix", "")

    @property
    def template_version(self) -> str:
        """The version of the template it was made with (0.1.0 before fastml recorded it)."""
        from fastml_scaffold.versions import UNRECORDED

        return str(self.others.get("template_version") or UNRECORDED)

    def check_renderable(self) -> None:
        """Whether the template can render the project again from its record (fastml
        update and check): the answers name it, at least."""
        if not self.answers.get("project_name"):
            raise _damaged(self.record_path, "its answers have no project_name")
        if not isinstance(self.others.get("model", {}), dict):
            raise _damaged(self.record_path, "its model is not a mapping")

    @property
    def needs_api_key(self) -> bool:
        """Whether its routers ask for an API key (``auth=api_key``; older projects: no)."""
        return self.answers.get("auth") == "api_key"

    def record_text(self) -> str:
        """The text of ``.fastml.json``: stable, so an unchanged record compares equal."""
        record: dict[str, Any] = {
            **self.others,
            "answers": self.answers,
            "fastml_version": self.fastml_version,
            "template": self.template,
        }
        if self.endpoints:
            record["endpoints"] = self.endpoints
        return json.dumps(record, indent=2, sort_keys=True) + "\n"

    def save(self) -> Path:
        """Write the record: for a project being rendered (commands write through plans)."""
        self.record_path.write_text(self.record_text(), encoding="utf-8")
        return self.record_path

    def with_endpoint(self, module: str, entry: Mapping[str, Any] | None) -> Project:
        """The project with ``module``'s endpoint recorded as ``entry`` (or forgotten)."""
        endpoints = {**self.endpoints}
        if entry is None:
            endpoints.pop(module, None)
        else:
            endpoints[module] = dict(entry)
        return replace(self, endpoints=endpoints)

    def read(self, relative: Path) -> str:
        """A text file of the project, or a one-line error that says what is wrong."""
        return read_text(self.root / relative)

    def line_length(self) -> int:
        """The project's ruff line length, so edits wrap where ruff would."""
        return line_length(self.root)


def line_length(root: Path) -> int:
    """The ruff line length of the project at ``root`` (88: ruff's default).

    Read with a pattern rather than a TOML parser: the setting is one line, and a
    pyproject.toml that does not parse must not stop an edit of app/main.py.
    """
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 88
    section = re.search(r"^\[tool\.ruff\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = re.search(r"^line-length\s*=\s*(\d+)", section.group(1), re.M) if section else None
    return int(found.group(1)) if found else 88


def new_record(root: Path, answers: Mapping[str, str], version: str) -> Project:
    """The record of a project that ``fastml new`` is making at ``root``."""
    return Project(root, version, dict(answers))


def read_text(path: Path, *, limit: int | None = None) -> str:
    """A UTF-8 text file, or a one-line ``FastmlError`` naming the file and the problem."""
    try:
        if limit is not None and path.stat().st_size > limit:
            raise FastmlError(f"{path} is larger than {limit} bytes: it is not what fastml wrote.")
        with path.open(encoding="utf-8", newline="") as stream:  # keep CRLF line endings
            return stream.read()
    except FileNotFoundError:
        raise FastmlError(f"{path} is missing: restore it from version control.") from None
    except IsADirectoryError:
        raise FastmlError(f"{path} is a folder, not a file: restore the file.") from None
    except UnicodeDecodeError:
        raise FastmlError(f"{path} is not UTF-8 text: save it as UTF-8, then run again.") from None
    except OSError as exc:
        raise FastmlError(f"Cannot read {path}: {exc.strerror}.") from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise _damaged(path, f"it is not JSON ({exc})") from None
    except RecursionError:
        raise _damaged(path, "it is nested too deeply") from None
    if not isinstance(record, dict):
        raise _damaged(path, "it is not a JSON object")
    return record


def _check_endpoint(path: Path, module: Any, entry: Any) -> None:
    where = f"endpoint {module!r}"
    if not isinstance(entry, dict):
        raise _damaged(path, f"{where} is not a mapping")
    for key, value in entry.items():
        expected = ENDPOINT_FIELDS.get(key)
        if expected is None:
            raise _damaged(path, f"{where} has an unknown field {key!r}")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise _damaged(path, f"{where}'s {key} is not {expected.__name__}")
    for key in ("name", "kind"):
        if key not in entry:
            raise _damaged(path, f"{where} has no {key}")
    if entry["kind"] not in ENDPOINT_KINDS:
        raise _damaged(path, f"{where}'s kind {entry['kind']!r} is not one of {ENDPOINT_KINDS}")
    if entry.get("method", "POST") not in ENDPOINT_METHODS:
        raise _damaged(
            path, f"{where}'s method {entry['method']!r} is not one of {ENDPOINT_METHODS}"
        )
    if not 0 <= entry.get("port", 0) <= 65535:
        raise _damaged(path, f"{where}'s port {entry['port']} is not a port")
    try:  # what add-endpoint would accept: every command then agrees on the record
        names = derive_endpoint_names(
            entry["name"],
            path=entry.get("path"),
            resource=entry["kind"] == "resource",
            method=entry.get("method"),
        )
    except FastmlError as exc:
        why = str(exc).rstrip(".")
        raise _damaged(path, f"{where} has an invalid name or path ({why})") from None
    if names.module != module:
        raise _damaged(path, f"{where} is named {entry['name']!r}, which is not its module")


def _damaged(path: Path, why: str) -> DamagedRecordError:
    return DamagedRecordError(
        f"{path} is damaged: {why}. Restore it from version control, or fix it by hand."
    )
