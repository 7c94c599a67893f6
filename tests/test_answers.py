"""Answers: --set pairs, YAML answers files, checks against the template."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fastml_scaffold.answers import (
    MAX_CONFIG_BYTES,
    check_answers,
    parse_set_options,
    read_config_file,
)
from fastml_scaffold.errors import ConfigFileError, InvalidAnswerError
from fastml_scaffold.templates import TemplateSpec, load_template


@pytest.fixture
def spec() -> TemplateSpec:
    return load_template("project")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# parse_set_options


def test_set_pairs_become_a_dict() -> None:
    answers = parse_set_options(["author_name=Ada Lovelace", "version=1.0.0"])

    assert answers == {"author_name": "Ada Lovelace", "version": "1.0.0"}


def test_set_value_may_contain_equals_signs_and_be_empty() -> None:
    answers = parse_set_options(["description=a=b", "author_email="])

    assert answers == {"description": "a=b", "author_email": ""}


def test_set_key_and_value_are_stripped() -> None:
    answers = parse_set_options([" author_name = Ada "])

    assert answers == {"author_name": "Ada"}


def test_later_set_of_the_same_key_wins() -> None:
    answers = parse_set_options(["version=1.0.0", "version=2.0.0"])

    assert answers == {"version": "2.0.0"}


def test_no_set_options_give_no_answers() -> None:
    assert parse_set_options([]) == {}


@pytest.mark.parametrize("pair", ["novalue", "=x", " =x", ""])
def test_malformed_set_pair_is_rejected(pair: str) -> None:
    with pytest.raises(InvalidAnswerError, match="key=value"):
        parse_set_options([pair])


# read_config_file


def test_config_file_plain_mapping_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "answers.yaml", "author_name: Ada Lovelace\nversion: '1.0.0'\n")

    answers = read_config_file(path)

    assert answers == {"author_name": "Ada Lovelace", "version": "1.0.0"}


def test_config_file_in_cookiecutter_default_context_style_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "answers.yaml",
        "default_context:\n  author_name: Ada Lovelace\n  author_email: ada@example.com\n",
    )

    answers = read_config_file(path)

    assert answers == {"author_name": "Ada Lovelace", "author_email": "ada@example.com"}


def test_config_file_non_string_scalars_become_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "answers.yaml", "version: 2\nauthor_email:\n")

    answers = read_config_file(path)

    assert answers == {"version": "2", "author_email": ""}


def test_config_file_values_keep_their_text_as_typed(tmp_path: Path) -> None:
    text = "python_version: 3.10\nversion: 1.10\nauthor_name: no\ndescription: on\n"
    path = _write(tmp_path / "answers.yaml", text)

    answers = read_config_file(path)

    assert answers == {
        "python_version": "3.10",
        "version": "1.10",
        "author_name": "no",
        "description": "on",
    }


@pytest.mark.parametrize(
    "value",
    [
        "x {{ 7*7 }} y",
        "a {{ b",
        "{% if x %}",
        "{# c #}",
        "two\nlines",
        "tab\there",
        "line\u2028separator",
        "paragraph\u2029separator",
        "next\x85line",
    ],
)
def test_answer_with_template_syntax_or_control_characters_is_rejected(
    spec: TemplateSpec, value: str
) -> None:
    with pytest.raises(InvalidAnswerError, match="description"):
        check_answers(spec, {"description": value}, source="--set")


@pytest.mark.parametrize(
    ("key", "value"),
    [("version", "banana"), ("version", "1.0 beta"), ("author_email", "not-an-email")],
)
def test_answer_in_the_wrong_format_is_rejected(spec: TemplateSpec, key: str, value: str) -> None:
    with pytest.raises(InvalidAnswerError, match=key):
        check_answers(spec, {key: value}, source="--set")


def test_empty_config_file_gives_no_answers(tmp_path: Path) -> None:
    path = _write(tmp_path / "answers.yaml", "")

    assert read_config_file(path) == {}


def test_missing_config_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"

    with pytest.raises(ConfigFileError, match="does not exist"):
        read_config_file(path)


def test_invalid_yaml_is_reported_in_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "answers.yaml", "author_name: [unclosed\n")

    with pytest.raises(ConfigFileError, match="Cannot read answers file") as excinfo:
        read_config_file(path)

    assert "\n" not in str(excinfo.value)


def test_list_at_top_level_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "answers.yaml", "- author_name\n- version\n")

    with pytest.raises(ConfigFileError, match="mapping"):
        read_config_file(path)


def test_scalar_at_top_level_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "answers.yaml", "just text\n")

    with pytest.raises(ConfigFileError, match="mapping"):
        read_config_file(path)


@pytest.mark.parametrize(
    "text",
    ["author_name:\n  first: Ada\n", "author_name: [Ada, Lovelace]\n"],
    ids=["mapping", "list"],
)
def test_nested_value_is_rejected(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path / "answers.yaml", text)

    with pytest.raises(ConfigFileError, match="'author_name' must be a single value"):
        read_config_file(path)


# read_config_file: files that are too large, too deep or too expanding


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with PyYAML's C loader, and with the pure-Python one it falls back to."""
    if request.param == "pure-python":
        monkeypatch.delattr(yaml, "CBaseLoader", raising=False)
    elif not hasattr(yaml, "CBaseLoader"):
        pytest.skip("PyYAML without libyaml")
    return str(request.param)


def test_config_file_over_1_mib_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "answers.yaml", "# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(yaml, "parse", parse)
    monkeypatch.setattr(yaml, "load", parse)
    with pytest.raises(ConfigFileError, match="larger than 1 MiB") as excinfo:
        read_config_file(path)

    assert "\n" not in str(excinfo.value)


def test_config_file_of_exactly_1_mib_is_read(tmp_path: Path, yaml_loader: str) -> None:
    head = "description: "
    path = _write(tmp_path / "answers.yaml", head + "x" * (MAX_CONFIG_BYTES - len(head)))

    answers = read_config_file(path)

    assert MAX_CONFIG_BYTES == 1024 * 1024
    assert len(answers["description"]) == MAX_CONFIG_BYTES - len(head)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 50_000 + "b" + "}" * 50_000,
        "".join(" " * depth + "a:\n" for depth in range(1000)),  # 0.5 MB
        "default_context:\n  author_name:\n    first:\n      - Ada\n",
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "four-levels"],
)
def test_deeply_nested_config_file_is_refused_in_one_line(
    tmp_path: Path, yaml_loader: str, text: str
) -> None:
    path = _write(tmp_path / "answers.yaml", text)

    with pytest.raises(ConfigFileError) as excinfo:
        read_config_file(path)

    message = str(excinfo.value)
    assert "\n" not in message
    assert str(path) in message


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        previous = f"*lol{level - 1}"
        lines.append(f"lol{level}: &lol{level} [{', '.join([previous] * 10)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text",
    [billion_laughs(), "author_name: &name Ada\ndescription: *name\n"],
    ids=["billion-laughs", "scalar-alias"],
)
def test_config_file_with_aliases_is_refused(tmp_path: Path, yaml_loader: str, text: str) -> None:
    path = _write(tmp_path / "answers.yaml", text)

    with pytest.raises(ConfigFileError, match=r"YAML alias \(\*") as excinfo:
        read_config_file(path)

    assert "write each answer out in full" in str(excinfo.value)


def test_nested_value_under_default_context_is_refused_by_name(
    tmp_path: Path, yaml_loader: str
) -> None:
    path = _write(tmp_path / "answers.yaml", "default_context:\n  author_name: [Ada, L]\n")

    with pytest.raises(ConfigFileError, match="'author_name' must be a single value"):
        read_config_file(path)


# check_answers


def test_known_answers_pass_the_check(spec: TemplateSpec) -> None:
    answers = {"author_name": "Ada", "python_version": "3.12", "version": "1.0.0"}

    check_answers(spec, answers, source="--set")


def test_unknown_key_is_rejected_with_the_valid_keys(spec: TemplateSpec) -> None:
    with pytest.raises(InvalidAnswerError) as excinfo:
        check_answers(spec, {"athor_name": "Ada"}, source="--set")

    message = str(excinfo.value)
    assert "'athor_name'" in message
    assert message.startswith("--set:")
    for key in ("author_name", "author_email", "description", "python_version", "version"):
        assert key in message
    assert "project_name" not in message  # the NAME argument, never an answer


@pytest.mark.parametrize("key", ["project_slug", "env_prefix", "model_file"])
def test_derived_key_is_rejected(spec: TemplateSpec, key: str) -> None:
    with pytest.raises(InvalidAnswerError, match="derived from the other answers"):
        check_answers(spec, {key: "anything"}, source="--set")


def test_value_outside_the_choices_is_rejected_with_the_valid_choices(
    spec: TemplateSpec,
) -> None:
    with pytest.raises(InvalidAnswerError) as excinfo:
        check_answers(spec, {"python_version": "2.7"}, source="answers.yaml")

    message = str(excinfo.value)
    assert message.startswith("answers.yaml:")
    assert "'2.7'" in message
    for choice in ("3.11", "3.12", "3.13"):
        assert choice in message
