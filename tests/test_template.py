"""Template tests: render the project, install it, and run its own checks for real.

The generated project is installed once per session into a virtualenv of its own, so its
declared dependencies, not ours, are what its tests run against.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
from pathlib import Path

import pytest
from support import REPO, TOOLS, make_venv, run, snapshot

from fastml_scaffold import new_project
from fastml_scaffold.project import RECORD_FILE
from fastml_scaffold.templates import template_dir

pytestmark = pytest.mark.template


def test_generated_project_passes_its_own_tests(project: Path, project_python: Path) -> None:
    output = run([project_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project)

    assert " passed" in output
    assert "failed" not in output


def test_generated_project_trains_and_saves_a_model(project: Path, project_python: Path) -> None:
    output = run([project_python, "-m", "app.train", "--output", "build/model.joblib"], project)

    assert "test accuracy" in output
    assert (project / "build" / "model.joblib").is_file()
    shutil.rmtree(project / "build")


def test_generated_project_lint_is_clean(project: Path, project_python: Path) -> None:
    bindir = project_python.parent

    run([bindir / "ruff", "check", "--no-cache", "."], cwd=project)
    run([bindir / "ruff", "format", "--check", "--no-cache", "."], cwd=project)
    run([bindir / "mypy", "--cache-dir", os.devnull, "app", "tests"], cwd=project)


def test_dockerfile_is_clean_under_hadolint(project: Path) -> None:
    run([TOOLS / "hadolint", "--failure-threshold", "info", "Dockerfile"], cwd=project)


def test_pyproject_passes_poetry_check_and_build(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    copy = tmp_path_factory.mktemp("poetry") / project.name
    shutil.copytree(project, copy)

    run([TOOLS / "poetry", "check"], cwd=copy)
    run([TOOLS / "poetry", "build", "--format", "wheel"], cwd=copy)

    assert list((copy / "dist").glob("iris_service-0.1.0-*.whl"))


def test_template_works_under_plain_cookiecutter(project: Path, tmp_path: Path) -> None:
    run(
        [TOOLS / "cookiecutter", "--no-input", "-o", tmp_path, template_dir("project")],
        cwd=tmp_path,
    )

    plain = tmp_path / project.name
    comparison = filecmp.dircmp(plain, project, ignore=[RECORD_FILE])
    assert _differences(comparison) == []


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found


def test_built_wheel_installs_and_generates_outside_the_repo(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO], cwd=REPO)
    [wheel] = dist.glob("fastml_scaffold-*.whl")
    python = make_venv(tmp_path_factory.mktemp("wheel-venv") / "venv")
    run([python, "-m", "pip", "install", "--quiet", wheel], cwd=dist)
    elsewhere = tmp_path_factory.mktemp("elsewhere")

    # pip byte-compiled the installed templates: the render must not carry that bytecode.
    installed = Path(python).parents[1] / "lib"
    assert any("templates" in p.parts for p in installed.rglob("__pycache__"))

    run([python.parent / "fastml", "new", "Iris Service", "--no-input"], cwd=elsewhere)

    from_checkout = new_project("Iris Service", output_dir=tmp_path_factory.mktemp("checkout"))
    assert snapshot(elsewhere / "iris-service") == snapshot(from_checkout.project_dir)
