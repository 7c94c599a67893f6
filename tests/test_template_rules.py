"""The template's rules, declared once beside it: plain Cookiecutter and fastml enforce the same.

Plain Cookiecutter runs the template's ``pre_gen_project`` hook; fastml checks the same
``_rules`` before it renders.  Each refused case leaves no folder behind in either.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support import TOOLS

from fastml_scaffold.commands.new import new_project
from fastml_scaffold.errors import InvalidAnswerError
from fastml_scaffold.templates import load_template, template_dir

REFUSED = {
    "kubernetes without docker": {"kubernetes": "yes", "docker": "no"},
    "cuda without pytorch": {"device": "cuda"},
    "auto without pytorch": {"device": "auto", "model_framework": "onnx"},
    "cuda on python 3.13": {
        "device": "cuda",
        "model_framework": "pytorch",
        "python_version": "3.13",
    },
    "a version that is not one": {"version": "one"},
    "an email that is not one": {"author_email": "nobody"},
}


def plain_cookiecutter(answers: dict[str, str], out: Path) -> subprocess.CompletedProcess[str]:
    pairs = [f"{key}={value}" for key, value in answers.items()]
    return subprocess.run(
        [TOOLS / "cookiecutter", "--no-input", "-o", out, template_dir("project"), *pairs],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("answers", REFUSED.values(), ids=list(REFUSED))
def test_plain_cookiecutter_refuses_what_fastml_refuses(
    answers: dict[str, str], tmp_path: Path
) -> None:
    plain = plain_cookiecutter(answers, tmp_path / "plain")
    with pytest.raises(InvalidAnswerError):
        new_project("Iris Service", output_dir=tmp_path / "fastml", answers=answers)

    assert plain.returncode != 0
    assert "error: " in plain.stderr
    assert not list((tmp_path / "plain").glob("*"))
    assert not (tmp_path / "fastml").exists()


def test_plain_cookiecutter_accepts_a_valid_combination(tmp_path: Path) -> None:
    answers = {"kubernetes": "yes", "device": "auto", "model_framework": "pytorch"}

    assert plain_cookiecutter(answers, tmp_path).returncode == 0
    assert (tmp_path / "iris-service" / "k8s").is_dir()


def test_every_rule_names_real_questions_and_choices() -> None:
    spec = load_template("project")
    rules = spec.rules
    for rule in rules.requires:
        for key, value in rule.when.items():
            assert value in spec.questions[key].choices
        for key, values in rule.needs.items():
            assert set(values) <= set(spec.questions[key].choices)
    assert set(rules.model_files) == set(spec.questions["model_framework"].choices)
    assert set(rules.formats) <= set(spec.questions)


@pytest.mark.parametrize("version", ["\u0661.\u0662", "1.0a", "v1"])  # Arabic-Indic digits
def test_a_version_pip_would_refuse_is_refused(version: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidAnswerError, match=r"a version like 0\.1\.0"):
        new_project("Iris Service", output_dir=tmp_path, answers={"version": version})


@pytest.mark.parametrize("name", ['Quote "Svc', "123 Svc"])
def test_plain_cookiecutter_refuses_a_name_fastml_refuses(name: str, tmp_path: Path) -> None:
    plain = plain_cookiecutter({"project_name": name}, tmp_path)

    assert plain.returncode != 0
    assert "error: project_name=" in plain.stderr
    assert not list(tmp_path.glob("*"))
