"""Answers to a template's questions: from ``--set`` and answers files, checked against the
template's questions and the rules it declares (``_rules`` in its cookiecutter.json).

The project keeps its answers in ``.fastml.json``, which ``fastml_scaffold.project`` owns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fastml_scaffold.errors import ConfigFileError, InvalidAnswerError
from fastml_scaffold.naming import check_plain_text
from fastml_scaffold.templates import Rules, TemplateSpec


def parse_set_options(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["key=value", ...]`` from ``--set`` into a dict."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidAnswerError(f"--set expects key=value, got {pair!r}.")
        answers[key.strip()] = value.strip()
    return answers


# An answers file is a few lines of question: answer.  Past this size it is the wrong file,
# and parsing it would take seconds.
MAX_CONFIG_BYTES = 1024 * 1024
# The depth of a Cookiecutter config: its mapping, default_context, and a value that is a
# list or a mapping (refused with its name).  Deeper nesting is refused before loading:
# the loader recurses, and would fail with a RecursionError.
_MAX_CONFIG_NESTING = 3


def read_config_file(path: Path) -> dict[str, str]:
    """Read answers from YAML: a plain mapping, or Cookiecutter's ``default_context:``."""
    import yaml  # PyYAML, a dependency of Cookiecutter; only this command needs it

    try:
        text = _read_limited(path).decode("utf-8")
        _check_yaml_shape(path, text)
        # BaseLoader keeps every scalar a string, as a typed answer would be: with the safe
        # loader "python_version: 3.10" became 3.1 and "author_name: no" became False.
        data = yaml.load(text, Loader=_base_loader())
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


def _read_limited(path: Path) -> bytes:
    """The file's bytes, read no further than the limit (a FIFO or /dev/zero has no size)."""
    with path.open("rb") as file:
        data = file.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigFileError(
            f"Answers file {path} is larger than 1 MiB: give a file of question: answer "
            "lines, a few hundred bytes."
        )
    return data


def _check_yaml_shape(path: Path, text: str) -> None:
    """Refuse aliases and deep nesting from the event stream, before anything is built.

    An alias can make a small file expand to a huge value (the "billion laughs"); an answer
    is written out in full, so an answers file has no use for one.
    """
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=_base_loader()):
        if isinstance(event, yaml.AliasEvent):
            raise ConfigFileError(
                f"Answers file {path} uses a YAML alias (*{event.anchor}): "
                "write each answer out in full."
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_CONFIG_NESTING:
                raise ConfigFileError(
                    f"Answers file {path} nests values {depth} levels deep: give plain "
                    "question: answer lines, at the top or under default_context."
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _base_loader() -> Any:
    """PyYAML's BaseLoader, in C where PyYAML has libyaml: 1 MiB parses in 0.1 s, not 2 s."""
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


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
        pattern, expected = spec.rules.formats.get(key, (None, ""))
        if pattern is not None and not re.match(pattern, value):
            raise InvalidAnswerError(f"{source}: {key}={value!r} must be {expected}.")


def check_combinations(
    answers: Mapping[str, str], rules: Rules | None = None, *, partial: bool = False
) -> None:
    """Reject answers that make no sense together, saying which to change.  The rules are
    the template's own (``_rules`` in its cookiecutter.json).  ``partial``: only some
    questions are answered yet, so a rule about one still open does not apply."""
    for rule in (rules or _project_rules()).requires:
        if not all(answers.get(key) == value for key, value in rule.when.items()):
            continue
        for needed, needed_values in rule.needs.items():
            if answers.get(needed) in needed_values or (partial and needed not in answers):
                continue
            *others, nearest = needed_values
            wanted = f"{needed}={nearest}"
            if others:
                wanted = f"{needed} {', '.join(others)} or {nearest}"
            given = " and ".join(f"{key}={value}" for key, value in rule.when.items())
            raise InvalidAnswerError(
                f"{given} needs {wanted}: {rule.because}; set {needed}={nearest} or drop {given}."
            )


def is_relevant(key: str, answers: Mapping[str, str], rules: Rules | None = None) -> bool:
    """Whether question ``key`` matters, given the answers so far: the others are not asked
    and keep their default."""
    condition = (rules or _project_rules()).asked_when.get(key, {})
    return all(answers.get(other) == value for other, value in condition.items())


def _project_rules() -> Rules:
    from fastml_scaffold.templates import load_template

    return load_template("project").rules
