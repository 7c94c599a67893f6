"""Properties that hold for any input a user or a fuzzer gives the CLI.

Each run of a command either succeeds with files that parse (TOML, YAML, JSON, Python), or
refuses with exit 1, one ``error:`` line on stderr, no traceback, and the tree unchanged.
Examples are bounded so that the suite stays fast; ``HYPOTHESIS_PROFILE=thorough`` runs more.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import tomllib
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import snapshot
from typer.testing import CliRunner, Result

from fastml_scaffold.cli import app
from fastml_scaffold.templates import load_template

settings.register_profile(
    "default",
    max_examples=25,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),  # CI runs the same examples every time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Text as users and fuzzers type it: letters of every script, digits, punctuation, spaces,
# emoji, control and separator characters, template syntax.
TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["{{", "}}", "{%", '"', "'", "\\", "\n", "\u2028", "😀", "-", "_", " "]),
    ),
    max_size=30,
).map("".join)
FREE_TEXT_QUESTIONS = ["description", "author_name", "author_email", "version"]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args], prog_name="fastml")


def assert_refused_in_one_line(result: Result) -> None:
    # 1: a refusal; 2: a usage error (a name that starts with "-" reads as an option).
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output


def assert_every_file_parses(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in (".yml", ".yaml"):
            list(yaml.safe_load_all(text))
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            ast.parse(text, filename=str(path))


def run_new(*options: str | Path) -> None:
    """``fastml new`` into a fresh folder: the properties of success and of refusal."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        result = invoke("new", *options, "--no-input", "-o", out)
        if result.exit_code == 0:
            [project] = [path for path in out.iterdir() if path.is_dir()]
            assert_every_file_parses(project)
        else:
            assert_refused_in_one_line(result)
            assert list(out.iterdir()) == []


@given(name=TEXT)
def test_any_project_name_gives_a_project_that_parses_or_one_error_line(name: str) -> None:
    run_new(name)


@given(key=st.sampled_from(FREE_TEXT_QUESTIONS), value=TEXT)
def test_any_free_text_answer_gives_files_that_parse_or_one_error_line(
    key: str, value: str
) -> None:
    run_new("Iris Service", "--set", f"{key}={value}")


@given(key=st.sampled_from(sorted(load_template("project").questions)), value=TEXT)
def test_any_answer_to_any_question_parses_or_is_one_error_line(key: str, value: str) -> None:
    run_new("Iris Service", "--set", f"{key}={value}")


@given(
    answers=st.dictionaries(st.sampled_from(FREE_TEXT_QUESTIONS), TEXT, max_size=3),
    raw=st.one_of(st.none(), TEXT),
)
def test_any_answers_file_parses_or_is_one_error_line(
    answers: dict[str, str], raw: str | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        answers_file = Path(folder) / "answers.yml"
        text = raw if raw is not None else yaml.safe_dump(answers, allow_unicode=True)
        answers_file.write_text(text, encoding="utf-8")
        run_new("Iris Service", "--config-file", answers_file)


PATH_SEGMENT = st.one_of(
    st.from_regex(r"[A-Za-z0-9._~-]{1,8}", fullmatch=True),
    st.from_regex(r"\{[A-Za-z_][A-Za-z0-9_]{0,8}\}", fullmatch=True),
    st.sampled_from(["{class}", "{body}", "{query}", "{id}", "{item_id}", ".", "..", "docs"]),
    TEXT,
)
PATHS = st.builds(lambda parts: "/" + "/".join(parts), st.lists(PATH_SEGMENT, max_size=3))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = invoke("new", "Iris Service", "--no-input", "-o", tmp_path_factory.mktemp("p"))
    assert result.exit_code == 0, result.output
    return tmp_path_factory.getbasetemp() / "p0" / "iris-service"


@given(
    path=PATHS,
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    crud=st.booleans(),
)
def test_any_path_gives_code_that_compiles_and_undoes_exactly_or_one_error_line(
    pristine: Path, path: str, method: str, crud: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        shutil.copytree(pristine, root)
        before = snapshot(root)
        kind = ["--crud"] if crud else ["--method", method]
        result = invoke("add-endpoint", "score", *kind, "--path", path, "--project", root)
        if result.exit_code != 0:
            assert_refused_in_one_line(result)
            assert snapshot(root) == before
            return
        assert_every_file_parses(root / "app")
        assert_every_file_parses(root / "tests")
        removed = invoke("remove-endpoint", "score", "--project", root)
        assert removed.exit_code == 0, removed.output
        assert snapshot(root) == before
