"""Where fastml's Cookiecutter templates live, installed or in a source checkout."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastml_scaffold.errors import TemplateError

_PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the templates inside the package (see ``[tool.poetry] packages``); an
# editable install or a source checkout finds them at the top of the repository.
_SEARCH_PATH = (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates")


def template_dir(name: str) -> Path:
    """Return the folder of the template ``name``: ``"project"`` or ``"endpoint"``."""
    for root in _SEARCH_PATH:
        candidate = root / name
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(root) for root in _SEARCH_PATH)
    raise TemplateError(f"Template {name!r} not found in {searched}: reinstall fastml.")


@dataclass(frozen=True)
class Question:
    """One variable of a template's ``cookiecutter.json`` that a user may answer."""

    key: str
    default: str
    choices: tuple[str, ...] = ()
    prompt: str = ""

    @property
    def label(self) -> str:
        return self.prompt or self.key.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Requirement:
    """An answer that needs another: ``when`` all these answers, ``needs`` one of those."""

    when: dict[str, str]
    needs: dict[str, tuple[str, ...]]
    because: str


@dataclass(frozen=True)
class Rules:
    """The rules a template declares beside its questions (``_rules`` in cookiecutter.json);
    its ``pre_gen_project`` hook enforces the same ones under plain Cookiecutter."""

    formats: dict[str, tuple[str, str]] = field(default_factory=dict)  # key: (regex, wanted)
    requires: tuple[Requirement, ...] = ()
    asked_when: dict[str, dict[str, str]] = field(default_factory=dict)
    model_files: dict[str, str] = field(default_factory=dict)  # by model_framework


@dataclass(frozen=True)
class TemplateSpec:
    """A template's questions, the keys it derives itself (those fastml computes too), and
    its rules."""

    path: Path
    questions: dict[str, Question]
    derived: frozenset[str]
    rules: Rules = Rules()


def load_template(name: str, root: Path | None = None) -> TemplateSpec:
    """Read a template's ``cookiecutter.json`` into questions and derived keys; from the
    ``templates/`` folder ``root`` (a released version's) instead of fastml's own."""
    path = template_dir(name) if root is None else root / name
    raw = _read_json(path / "cookiecutter.json")
    prompts = raw.get("__prompts__", {})
    questions: dict[str, Question] = {}
    derived: set[str] = set()
    for key, value in raw.items():
        if key.startswith("_"):
            continue  # private to Cookiecutter: extensions, prompts, copy rules
        if isinstance(value, list):
            choices = tuple(str(choice) for choice in value)
            questions[key] = Question(key, choices[0], choices, _prompt_text(prompts, key))
        elif isinstance(value, str) and "{{" in value:
            derived.add(key)
        else:
            questions[key] = Question(key, str(value), (), _prompt_text(prompts, key))
    rules = _rules(path, raw.get("_rules", {}))
    return TemplateSpec(path=path, questions=questions, derived=frozenset(derived), rules=rules)


def _rules(path: Path, raw: Any) -> Rules:
    if not raw:
        return Rules()
    try:
        return Rules(
            formats={key: (r["pattern"], r["expected"]) for key, r in raw["formats"].items()},
            requires=tuple(
                Requirement(
                    dict(r["when"]),
                    {key: tuple(values) for key, values in r["needs"].items()},
                    r["because"],
                )
                for r in raw["requires"]
            ),
            asked_when={key: dict(when) for key, when in raw["asked_when"].items()},
            model_files=dict(raw["model_files"]),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise TemplateError(f"{path}/cookiecutter.json has malformed _rules ({exc}).") from None


def _prompt_text(prompts: dict[str, Any], key: str) -> str:
    text = prompts.get(key, "")
    if isinstance(text, dict):  # choice prompts carry a "__prompt__" title and labels
        text = text.get("__prompt__", "")
    return str(text)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TemplateError(f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{path} must hold a JSON object.")
    return data
