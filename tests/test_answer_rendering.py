"""Awkward but accepted answers: every file the project template writes still parses.

Each free-text answer is written into TOML, Python, Markdown and plain text; the choices
decide which YAML and JSON files there are.  Whatever a user types that fastml accepts,
each file must parse with its own format's parser and keep the answer's text exactly.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fastml_scaffold import new_project
from fastml_scaffold.templates import load_template

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib
    tomllib = pytest.importorskip("tomli")

# Text that is hard to quote: each is accepted, and must come out as it went in.
AWKWARD = {
    "emoji": "Predicts 😀 and 🌸 (outside the BMP)",
    "quotes": "She said \"it's\" a 'model'",
    "backslashes": "C:\\models\\iris \\n \\u0041 \\",
    "yaml-indicators": "# not a comment: key: value - [a, b] {c} & *x !tag %y @z `q` | >",
    "spaces": "  leading and trailing spaces  ",
    "scripts": "日本語のモデル, Ελληνικά, Кириллица, देवनागरी",
    "rtl": "مرحبا بالعالم — שלום עולם",
}
# The same, for the project name: no double quote or backslash (refused), and the surrounding
# spaces are trimmed.
AWKWARD_NAMES = {
    "emoji": "Iris 😀 Service",
    "quotes": "O'Brien's Model",
    "backslashes": "Iris Service",
    "yaml-indicators": "Iris #1: [Service] & *x",
    "spaces": "Iris   Service",
    "scripts": "日本語 Ελληνικά Service",
    "rtl": "مرحبا Service",
}
# Answers with a format: awkward within it.
AWKWARD_EMAIL = "o'brien#1:😀\\x@例え.テスト"
AWKWARD_VERSION = "2024.10.0rc1.post2.dev3"
# Every option that adds a file whose answers must parse.
EVERY_FILE = {"docker": "yes", "kubernetes": "yes", "metrics": "yes", "json_logging": "yes"}


def free_text_questions() -> list[str]:
    """The questions answered with text rather than a choice (the NAME argument aside)."""
    questions = load_template("project").questions
    return [key for key, q in questions.items() if not q.choices and key != "project_name"]


def awkward_answers(text: str) -> dict[str, str]:
    formats = {"author_email": AWKWARD_EMAIL, "version": AWKWARD_VERSION}
    return {key: formats.get(key, text) for key in free_text_questions()}


def parse_toml(text: str) -> Any:
    return tomllib.loads(text)


def parse_yaml(text: str) -> Any:
    return list(yaml.safe_load_all(text))


def parse_python(text: str) -> Any:
    return compile(text, "<rendered>", "exec", dont_inherit=True)


PARSERS: dict[str, Callable[[str], Any]] = {
    ".toml": parse_toml,
    ".yml": parse_yaml,
    ".yaml": parse_yaml,
    ".json": json.loads,
    ".py": parse_python,
}
# Files no parser reads: text as written, or empty.
TEXT_FILES = {"Dockerfile", "Makefile", "LICENSE", "README.md", ".gitignore", ".dockerignore"}


def render(tmp_path: Path, name: str, **answers: str) -> Path:
    return new_project(name, output_dir=tmp_path, answers=answers).project_dir


def parse_every_file(project: Path) -> dict[str, Any]:
    """Parse each file with its format's parser; fail on a file of a format unknown here."""
    parsed = {}
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(project).as_posix()
        text = path.read_text(encoding="utf-8")
        parser = PARSERS.get(path.suffix)
        if parser is not None:
            try:
                parsed[relative] = parser(text)
            except Exception as exc:  # the failure names the file, whatever the parser
                pytest.fail(f"{relative} does not parse: {type(exc).__name__}: {exc}")
        else:
            assert path.name in TEXT_FILES or path.stat().st_size == 0, relative
    return parsed


def fastapi_title(main: str) -> object:
    for node in ast.walk(ast.parse(main)):
        if isinstance(node, ast.keyword) and node.arg == "title":
            assert isinstance(node.value, ast.Constant)
            return node.value.value
    raise AssertionError("app/main.py passes no title to FastAPI")


def module_constant(source: str, name: str) -> object:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"no {name} = ... in the module")


@pytest.mark.parametrize("ci", ["github", "gitlab"])
@pytest.mark.parametrize("case", sorted(AWKWARD))
def test_every_file_parses_and_keeps_the_answers(tmp_path: Path, case: str, ci: str) -> None:
    text, name = AWKWARD[case], AWKWARD_NAMES[case]
    answers = awkward_answers(text)

    project = render(tmp_path, name, ci=ci, **EVERY_FILE, **answers)
    parsed = parse_every_file(project)

    assert {".toml", ".yml", ".yaml", ".json", ".py"} <= {Path(p).suffix for p in parsed}
    metadata = parsed["pyproject.toml"]["project"]
    assert metadata["description"] == text
    assert metadata["authors"] == [{"name": text, "email": AWKWARD_EMAIL}]
    assert metadata["version"] == AWKWARD_VERSION
    assert parsed[".fastml.json"]["answers"]["description"] == text
    source = (project / "app/main.py").read_text(encoding="utf-8")
    assert fastapi_title(source) == name.strip()
    test_docs = (project / "tests/test_docs.py").read_text(encoding="utf-8")
    assert module_constant(test_docs, "TITLE") == name.strip()
    assert f"\n{text}\n" in (project / "README.md").read_text(encoding="utf-8")
    assert text in (project / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("framework", ["sklearn", "onnx", "pytorch", "custom"])
@pytest.mark.parametrize("license_", ["MIT", "Apache-2.0", "BSD-3-Clause", "proprietary"])
def test_every_framework_and_license_parses_with_awkward_answers(
    tmp_path: Path, framework: str, license_: str
) -> None:
    text = " ".join(AWKWARD.values())

    project = render(
        tmp_path,
        AWKWARD_NAMES["emoji"],
        model_framework=framework,
        license=license_,
        **EVERY_FILE,
        **awkward_answers(text),
    )
    parsed = parse_every_file(project)

    assert parsed["pyproject.toml"]["project"]["description"] == text


def test_an_empty_email_leaves_the_author_without_one(tmp_path: Path) -> None:
    project = render(tmp_path, "Iris Service", author_name=AWKWARD["quotes"], author_email="")

    metadata = parse_every_file(project)["pyproject.toml"]["project"]

    assert metadata["authors"] == [{"name": AWKWARD["quotes"]}]


def test_every_free_text_question_is_answered_awkwardly() -> None:
    """A new free-text question gets the awkward answers too, by default."""
    assert set(awkward_answers("x")) >= {"description", "author_name", "author_email", "version"}
