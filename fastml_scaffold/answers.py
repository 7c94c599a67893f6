"""Answers to a template's questions: from files and ``--set``, and saved in the project.

A generated project records how it was made in ``.fastml.json`` at its root, so later
commands (``add-endpoint``, a future ``update``) read the answers instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fastml_scaffold.errors import ConfigFileError, FastmlError, InvalidAnswerError
from fastml_scaffold.naming import check_plain_text
from fastml_scaffold.templates import TemplateSpec

ANSWERS_FILE = ".fastml.json"

# Answers that end up where a tool checks their format: pyproject's version and email.
_FORMATS = {
    "version": (
        re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$"),
        "a version like 0.1.0",
    ),
    "author_email": (re.compile(r"^([^@\s\"]+@[^@\s\"]+\.[^@\s\"]+)?$"), "an email address"),
}


def parse_set_options(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["key=value", ...]`` from ``--set`` into a dict."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidAnswerError(f"--set expects key=value, got {pair!r}.")
        answers[key.strip()] = value.strip()
    return answers


def read_config_file(path: Path) -> dict[str, str]:
    """Read answers from YAML: a plain mapping, or Cookiecutter's ``default_context:``."""
    import yaml  # PyYAML, a dependency of Cookiecutter; only this command needs it

    try:
        # BaseLoader keeps every scalar a string, as a typed answer would be: with the safe
        # loader "python_version: 3.10" became 3.1 and "author_name: no" became False.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except FileNotFoundError:
        raise ConfigFileError(f"Answers file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigFileError(f"Cannot read answers file {path}: {first_line}") from None
    if data is None:
        return {}
    if isinstance(data, dict) and isinstance(data.get("default_context"), dict):
        data = data["default_context"]
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigFileError(f"Answers file {path} must be a YAML mapping of question: answer.")
    return {key: _scalar_to_text(path, key, value) for key, value in data.items()}


def _scalar_to_text(path: Path, key: str, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ConfigFileError(f"Answers file {path}: {key!r} must be a single value.")
    return str(value)


def check_answers(spec: TemplateSpec, answers: Mapping[str, str], *, source: str) -> None:
    """Reject unknown keys, derived keys and values outside a question's choices."""
    for key, value in answers.items():
        check_plain_text(value, f"{source}: {key}", InvalidAnswerError)
        if key in spec.derived:
            raise InvalidAnswerError(
                f"{source}: {key!r} is derived from the other answers and cannot be set."
            )
        question = spec.questions.get(key)
        if question is None:
            valid = ", ".join(sorted(k for k in spec.questions if k != "project_name"))
            raise InvalidAnswerError(f"{source}: unknown question {key!r}; valid: {valid}.")
        if question.choices and value not in question.choices:
            valid = ", ".join(question.choices)
            raise InvalidAnswerError(f"{source}: {key}={value!r} is not one of: {valid}.")
        pattern, expected = _FORMATS.get(key, (None, ""))
        if pattern is not None and not pattern.match(value):
            raise InvalidAnswerError(f"{source}: {key}={value!r} must be {expected}.")


# Answers that only make sense with another: (key, value, needed key, needed values, why).
_REQUIRES: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("kubernetes", "yes", "docker", ("yes",), "the manifests deploy the Docker image"),
    ("device", "cuda", "model_framework", ("pytorch",), "only the PyTorch model runs on a GPU"),
    ("device", "auto", "model_framework", ("pytorch",), "only the PyTorch model runs on a GPU"),
    (
        "device",
        "cuda",
        "python_version",
        ("3.11", "3.12"),
        "its image builds on NVIDIA's CUDA image, whose Python is 3.12",
    ),
)
# Questions that matter only after a given answer to another; otherwise nobody is asked
# them and they keep their default.
_RELEVANT_WHEN = {"device": ("model_framework", "pytorch")}


def check_combinations(answers: Mapping[str, str]) -> None:
    """Reject answers that make no sense together, saying which to change."""
    for key, value, needed, needed_values, why in _REQUIRES:
        if answers.get(key) == value and answers.get(needed) not in needed_values:
            *others, nearest = needed_values
            wanted = f"{needed}={nearest}"
            if others:
                wanted = f"{needed} {', '.join(others)} or {nearest}"
            raise InvalidAnswerError(
                f"{key}={value} needs {wanted}: {why}; "
                f"set {needed}={nearest} or drop {key}={value}."
            )


def is_relevant(key: str, answers: Mapping[str, str]) -> bool:
    """Whether question ``key`` matters, given the answers so far."""
    condition = _RELEVANT_WHEN.get(key)
    return condition is None or answers.get(condition[0]) == condition[1]


def save_project_answers(project_dir: Path, answers: Mapping[str, str], version: str) -> Path:
    """Record the answers and the fastml version that made ``project_dir``."""
    record = {"fastml_version": version, "template": "project", "answers": dict(answers)}
    path = project_dir / ANSWERS_FILE
    path.write_text(record_text(record), encoding="utf-8")
    return path


def record_text(record: Mapping[str, Any]) -> str:
    """The text of ``.fastml.json``: stable, so an unchanged record compares equal."""
    return json.dumps(record, indent=2, sort_keys=True) + "\n"


def recorded_endpoints(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The endpoints add-endpoint recorded, by module name (none in a new project)."""
    endpoints = record.get("endpoints") or {}
    if not isinstance(endpoints, dict):
        raise FastmlError(f"{ANSWERS_FILE} is damaged: its endpoints are not a mapping.")
    return endpoints


def find_project_root(start: Path) -> Path:
    """Walk up from ``start`` to the folder that holds ``.fastml.json``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ANSWERS_FILE).is_file():
            return folder
    raise FastmlError(
        f"{start} is not inside a project made by fastml new (no {ANSWERS_FILE} found): "
        "run the command in the project, or pass --project."
    )


def load_project_answers(project_dir: Path) -> dict[str, Any]:
    """Read the record that ``fastml new`` saved in ``project_dir``."""
    path = project_dir / ANSWERS_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FastmlError(f"Cannot read {path}: {exc}") from None
    if not isinstance(record, dict) or not isinstance(record.get("answers"), dict):
        raise FastmlError(f"{path} is damaged: it has no answers; restore it from version control.")
    return record
