"""``fastml new --model``: what the command writes, and how it refuses what it cannot serve.

Every refusal is one line on stderr, exit code 1 (2 for a misuse of the options), and
nothing written.  The projects' own tests and servers run in test_template_models.py.
"""

from __future__ import annotations

import json
import pickle
import sys
from dataclasses import replace
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from support import TOOLS, assert_one_error_line, run, snapshot
from typer.testing import CliRunner, Result

from fastml_scaffold import new_project
from fastml_scaffold.cli import app
from fastml_scaffold.errors import InvalidAnswerError
from fastml_scaffold.models import Feature, ModelFileError, import_model
from fastml_scaffold.models.context import py_str
from fastml_scaffold.models.samples import read_samples
from fastml_scaffold.models.spec import python_names
from fastml_scaffold.project import Project

# Column names a user's DataFrame may well have, and Python may not.
AWKWARD = ["class", "a b", "a_b", "json", "model_year", 'say "hi"', "1st", "été", "row"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A pickled pipeline with a categorical column it refuses unknown values of."""
    frame = pd.DataFrame(
        {"colour": ["red", "green", "blue", "red"] * 10, "size cm": [1.0, 2.5, 3.0, 0.5] * 10}
    )
    target = ["small", "large", "large", "small"] * 10
    encode = ColumnTransformer([("cat", OneHotEncoder(), ["colour"])], remainder="passthrough")
    path = tmp_path / "shop.pkl"
    path.write_bytes(pickle.dumps(make_pipeline(encode, LogisticRegression()).fit(frame, target)))
    return path


@pytest.fixture
def awkward(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, len(AWKWARD))), columns=AWKWARD)
    path = tmp_path / "awkward.joblib"
    joblib.dump(LinearRegression().fit(frame, rng.normal(size=40)), path)
    return path


def test_new_with_a_model_writes_the_project_around_it(
    shop: Path, tmp_path: Path, chdir_tmp: Path
) -> None:
    sample = tmp_path / "rows.csv"
    sample.write_text("size cm,colour,price\n2.0,green,3\n0.7,red,1\n")

    result = invoke("new", "Shop", "--no-input", "--model", str(shop), "--sample", str(sample))

    assert result.exit_code == 0, result.output
    project = chdir_tmp / "shop"
    assert (project / "models" / "model.pkl").read_bytes() == shop.read_bytes()
    assert not (project / "app" / "train.py").exists()
    assert "app.train" not in result.stdout
    record = Project.load(project)
    assert record.answers["model_file"] == "model.pkl"
    assert record.others["model"]["task"] == "classifier"
    schemas = (project / "app" / "schemas.py").read_text()
    assert '"colour": "green",' in schemas  # the sample rows, in the model's column order
    assert '"price"' not in schemas  # a column the model does not take
    assert 'alias="size cm"' in schemas
    assert "ColourCategory = Literal[" in schemas
    assert '"scikit-learn==' in (project / "pyproject.toml").read_text()


def test_dry_run_with_a_model_writes_nothing(shop: Path, chdir_tmp: Path) -> None:
    result = invoke("new", "Shop", "--no-input", "--dry-run", "--model", str(shop))

    assert result.exit_code == 0, result.output
    assert "model.pkl     create" in result.stdout
    assert sorted(p.name for p in chdir_tmp.iterdir()) == ["shop.pkl"]


def test_awkward_column_names_become_fields_that_keep_them(awkward: Path, tmp_path: Path) -> None:
    project = new_project(
        "Awkward", output_dir=tmp_path / "out", model=import_model(awkward)
    ).project_dir
    schemas = (project / "app" / "schemas.py").read_text()

    for name in AWKWARD:
        assert f"alias={py_str(name)}" in schemas or f"    {name}: float" in schemas
    run([TOOLS / "ruff", "check", "--no-cache", "."], cwd=project)
    run([TOOLS / "ruff", "format", "--check", "--no-cache", "."], cwd=project)


def test_python_names_are_identifiers_distinct_and_free() -> None:
    names = python_names(tuple(Feature(name, float) for name in AWKWARD))

    assert all(name.isidentifier() for name in names)
    assert len(set(names)) == len(names)
    assert names[:5] == ["f_class", "a_b", "a_b_2", "f_json", "f_model_year"]
    assert "row" not in names  # the generated class's method


def _bad_inputs(tmp_path: Path, shop: Path) -> dict[str, list[str]]:
    x, y = load_iris(return_X_y=True)
    good = pickle.dumps(LogisticRegression(max_iter=500).fit(x, y))
    (tmp_path / "text.pkl").write_text("not a model\n")
    (tmp_path / "cut.pkl").write_bytes(good[: len(good) // 2])
    (tmp_path / "iris.pkl").write_bytes(good)
    (tmp_path / "dict.pkl").write_bytes(pickle.dumps({"weights": [1, 2]}))
    (tmp_path / "garbage.onnx").write_bytes(b"\x08\x07garbage")
    (tmp_path / "model.h5").write_bytes(b"")
    unsigned = tmp_path / "unsigned"
    unsigned.mkdir()
    (unsigned / "model.pkl").write_bytes(good)
    (unsigned / "MLmodel").write_text(
        "flavors:\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: pickle\n"
    )
    (tmp_path / "rows.txt").write_text("a,b\n")
    listed = tmp_path / "listed"
    listed.mkdir()
    (listed / "MLmodel").write_text("flavors: [1, 2]\n")
    (tmp_path / "missing.csv").write_text("colour\nred\n")
    (tmp_path / "unknown.csv").write_text("colour,size cm\npurple,1.0\n")
    return {
        "not-a-model": ["--model", str(tmp_path / "text.pkl")],
        "truncated": ["--model", str(tmp_path / "cut.pkl")],
        "no-predict": ["--model", str(tmp_path / "dict.pkl")],
        "not-onnx": ["--model", str(tmp_path / "garbage.onnx")],
        "unknown-format": ["--model", str(tmp_path / "model.h5")],
        "missing-file": ["--model", str(tmp_path / "nothing.joblib")],
        "mlflow-without-names": ["--model", str(unsigned)],
        "features-count": ["--model", str(tmp_path / "iris.pkl"), "--features", "a,b"],
        "features-of-a-frame": ["--model", str(shop), "--features", "a,b"],
        "sample-format": ["--model", str(shop), "--sample", str(tmp_path / "rows.txt")],
        "sample-missing-column": ["--model", str(shop), "--sample", str(tmp_path / "missing.csv")],
        "sample-unknown-category": [
            "--model",
            str(shop),
            "--sample",
            str(tmp_path / "unknown.csv"),
        ],
        "other-framework": ["--model", str(shop), "--set", "model_framework=onnx"],
        "mlmodel-not-a-mapping": ["--model", str(listed)],
    }


@pytest.mark.parametrize(
    "case",
    [
        "not-a-model",
        "truncated",
        "no-predict",
        "not-onnx",
        "unknown-format",
        "missing-file",
        "mlflow-without-names",
        "features-count",
        "features-of-a-frame",
        "sample-format",
        "sample-missing-column",
        "sample-unknown-category",
        "other-framework",
        "mlmodel-not-a-mapping",
    ],
)
def test_what_cannot_be_served_is_one_line_and_nothing_written(
    case: str, shop: Path, tmp_path: Path
) -> None:
    args = _bad_inputs(tmp_path, shop)[case]
    before = snapshot(tmp_path)

    result = invoke("new", "Shop", "--no-input", "-o", str(tmp_path / "out"), *args)

    assert_one_error_line(result)
    assert snapshot(tmp_path) == before


def test_a_library_missing_from_fastml_s_environment_says_how_to_install_it(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails, as if absent
    (tmp_path / "model.onnx").write_bytes(b"")

    result = invoke("new", "Shop", "--no-input", "--model", str(tmp_path / "model.onnx"))

    assert_one_error_line(result)
    assert "pip install 'fastml-scaffold[onnx]'" in result.stderr


def test_features_and_sample_need_a_model(tmp_path: Path) -> None:
    result = invoke("new", "Shop", "--no-input", "--features", "a,b")

    assert result.exit_code == 2
    assert "--model" in result.stderr


def test_a_python_the_pinned_libraries_do_not_run_on_is_refused(shop: Path, tmp_path: Path) -> None:
    model = import_model(shop)
    old = replace(model, spec=replace(model.spec, newest_python="3.12"))

    with pytest.raises(InvalidAnswerError, match=r"set python_version to 3\.11 or 3\.12"):
        new_project("Shop", output_dir=tmp_path, answers={"python_version": "3.13"}, model=old)
    assert list(tmp_path.iterdir()) == [shop]


def test_json_samples_may_be_rows_or_pandas_split(tmp_path: Path) -> None:
    features = (Feature("a", float), Feature("b", str), Feature("c", bool), Feature("d", int))
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([{"a": 1, "b": "x", "c": True, "d": 2, "target": 0}]))
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"columns": ["d", "c", "b", "a"], "data": [[2, "yes", "x", 1]]}))

    expected = ({"a": 1.0, "b": "x", "c": True, "d": 2},)
    assert read_samples(rows, features) == expected
    assert read_samples(split, features) == expected


def test_what_the_model_answers_decides_the_outputs(tmp_path: Path) -> None:
    """Linear models keep no n_outputs_: the number of outputs comes from predicting."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    path = tmp_path / "two.joblib"
    joblib.dump(LinearRegression().fit(frame, rng.normal(size=(30, 2))), path)

    assert import_model(path).spec.n_outputs == 2


def test_encoder_categories_keep_their_type_and_leave_out_missing_values(
    tmp_path: Path,
) -> None:
    frame = pd.DataFrame({"level": [1, 2, 3, 1] * 10, "colour": ["red", "blue", None, "red"] * 10})
    encode = ColumnTransformer(
        [("level", OneHotEncoder(), ["level"]), ("colour", OneHotEncoder(), ["colour"])]
    )
    path = tmp_path / "typed.joblib"
    model = make_pipeline(encode, LogisticRegression()).fit(frame, [0, 1, 1, 0] * 10)
    joblib.dump(model, path)

    level, colour = import_model(path).spec.features

    assert (level.type, level.categories, level.closed) == (int, (1, 2, 3), True)
    assert (colour.type, colour.categories) == (str, ("blue", "red"))


def test_text_in_the_sample_rows_makes_a_column_text(tmp_path: Path) -> None:
    from sklearn.preprocessing import TargetEncoder

    frame = pd.DataFrame({"city": ["Oslo", "Lima", "Pune", "Oslo"] * 10, "x": [1.0] * 40})
    encode = ColumnTransformer([("city", TargetEncoder(), ["city"])], remainder="passthrough")
    path = tmp_path / "cities.joblib"
    joblib.dump(make_pipeline(encode, LinearRegression()).fit(frame, [1, 2, 3, 4] * 10), path)
    sample = tmp_path / "rows.csv"
    sample.write_text("city,x\nLima,2.5\n")

    spec = import_model(path, sample=sample).spec

    assert [(f.name, f.type) for f in spec.features] == [("city", str), ("x", float)]
    assert spec.samples == ({"city": "Lima", "x": 2.5},)
    with pytest.raises(ModelFileError, match="give real rows with --sample"):
        import_model(path)  # a row made up from the schema: 0.0 for the city


def test_an_onnx_classifier_of_scores_serves_labels_alone(tmp_path: Path) -> None:
    from skl2onnx import to_onnx
    from sklearn.svm import LinearSVC

    x, y = load_iris(return_X_y=True)
    path = tmp_path / "svm.onnx"
    path.write_bytes(to_onnx(LinearSVC().fit(x, y), x[:1].astype(np.float32)).SerializeToString())

    spec = import_model(path).spec

    assert spec.task.value == "classifier"
    assert not spec.has_probabilities
