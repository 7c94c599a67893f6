"""``fastml new --model``: projects built around models saved as users save them.

Each model is fitted here on a dataset scikit-learn ships (no downloads), saved the way its
owner would (joblib, pickle, MLflow's default skops format), and made into a project that
must install, pass its own tests and lint, and serve: the real server's answers over HTTP
on held-out rows equal the model's own predictions in this process.  The projects share
the virtualenv of their Python, as the other template tests do.
"""

from __future__ import annotations

import json
import pickle
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from support import TOOLS, run, running_app

from fastml_scaffold import new_project
from fastml_scaffold.models import import_model
from fastml_scaffold.project import Project

pytestmark = pytest.mark.template


@dataclass(frozen=True)
class Case:
    """A saved model, the rows it was not fitted on, and what it answers for them."""

    path: Path
    held_out: list[Any]  # instances as the API takes them: objects, or arrays of numbers
    expected: list[dict[str, Any]]  # the model's own predictions, as the API words them
    sample: Path | None = None
    features: list[str] | None = None


def _classified(estimator: Any, rows: Any) -> list[dict[str, Any]]:
    classes = [str(label) for label in estimator.classes_]
    probabilities = np.asarray(estimator.predict_proba(rows), dtype=np.float64).tolist()
    return [
        {"label": str(label), "probabilities": dict(zip(classes, row, strict=True))}
        for label, row in zip(estimator.predict(rows), probabilities, strict=True)
    ]


def _diabetes(folder: Path) -> Case:
    """A regressor fitted on a DataFrame, saved with joblib; no example rows."""
    data = load_diabetes(as_frame=True).frame
    train, held_out = data.iloc[:-20], data.iloc[-20:]
    columns = [c for c in data.columns if c != "target"]
    model = LinearRegression().fit(train[columns], train["target"])
    joblib.dump(model, folder / "diabetes.joblib")
    expected = [{"value": float(v)} for v in model.predict(held_out[columns])]
    return Case(folder / "diabetes.joblib", _records(held_out[columns]), expected)


def _shop(folder: Path) -> Case:
    """A pipeline with categorical string columns (unknown values refused), pickled, with
    a CSV of sample rows that also holds the target."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "colour": rng.choice(["red", "green", "blue"], 300),
            "size (cm)": rng.uniform(1, 30, 300).round(1),
            "in stock": rng.choice(["yes", "no"], 300),
        }
    )
    target = np.where(frame["size (cm)"] > 15, "large", "small")
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(), ["colour", "in stock"]),
            ("numbers", StandardScaler(), ["size (cm)"]),
        ]
    )
    model = make_pipeline(encode, LogisticRegression()).fit(frame[:250], target[:250])
    (folder / "shop.pkl").write_bytes(pickle.dumps(model))
    sample = folder / "shop-sample.csv"
    frame[:4].assign(target=target[:4]).to_csv(sample, index=False)
    return Case(folder / "shop.pkl", _records(frame[250:]), _classified(model, frame[250:]), sample)


def _cancer(folder: Path) -> Case:
    """An MLflow model directory as MLflow 3 saves it by default (skops), with a signature
    whose column names hold spaces and an input example."""
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn")
    from mlflow.models import infer_signature

    data = load_breast_cancer(as_frame=True)
    x, y = data.data, data.target
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x[:500], y[:500])
    path = folder / "cancer-model"
    mlflow_sklearn.save_model(
        model, path, signature=infer_signature(x, model.predict(x)), input_example=x[:3]
    )
    return Case(path, _records(x[500:520]), _classified(model, x[500:520]))


def _iris_array(folder: Path) -> Case:
    """A forest fitted on an array, its inputs named by --features."""
    x, y = load_iris(return_X_y=True)
    order = np.random.default_rng(1).permutation(len(x))
    x, y = x[order], y[order]
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(x[:130], y[:130])
    joblib.dump(model, folder / "iris.joblib")
    names = ["sepal length", "sepal width", "petal length", "petal width"]
    held_out = _records(pd.DataFrame(x[130:], columns=names))
    return Case(folder / "iris.joblib", held_out, _classified(model, x[130:]), features=names)


def _awkward(folder: Path) -> Case:
    """Column names, categories and classes that Python and JSON make hard: keywords,
    spaces, quotes, names that clash once made identifiers, accents."""
    rng = np.random.default_rng(3)
    numbers = ["class", "a b", "a_b", "json", "model_year", 'say "hi"', "1st", "row"]
    frame = pd.DataFrame(rng.normal(size=(200, len(numbers))), columns=numbers)
    frame["kind"] = rng.choice(['a "b"', "c'd", "été", "back\\slash"], 200)
    target = np.where(frame["class"] > 0, 'yes "sure"', "n'o")
    encode = ColumnTransformer([("cat", OneHotEncoder(), ["kind"])], remainder="passthrough")
    model = make_pipeline(encode, LogisticRegression()).fit(frame[:150], target[:150])
    joblib.dump(model, folder / "awkward.joblib")
    return Case(folder / "awkward.joblib", _records(frame[150:]), _classified(model, frame[150:]))


def _mixed(folder: Path) -> Case:
    """A regressor of two outputs (a linear model: no n_outputs_), an integer column whose
    unknown values it refuses, and a text column whose unknown values it accepts."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "rooms": rng.choice([1, 2, 3, 4], 200),
            "district": rng.choice(["north", "south", "east"], 200),
            "area": rng.uniform(20, 200, 200).round(1),
        }
    )
    encode = ColumnTransformer(
        [
            ("rooms", OneHotEncoder(), ["rooms"]),
            (
                "district",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                ["district"],
            ),
        ],
        remainder="passthrough",
    )
    targets = np.c_[frame["area"] * 3 + frame["rooms"], frame["area"] / 10]
    model = make_pipeline(encode, LinearRegression()).fit(frame[:150], targets[:150])
    joblib.dump(model, folder / "flats.joblib")
    sample = folder / "flats.csv"
    frame[:3].to_csv(sample, index=False)
    expected = [{"value": row} for row in model.predict(frame[150:]).tolist()]
    return Case(folder / "flats.joblib", _records(frame[150:]), expected, sample)


def _iris_onnx(folder: Path) -> Case:
    """A classifier converted with skl2onnx from an array: one tensor input, so instances
    are arrays of numbers; ZipMap probabilities."""
    from skl2onnx import to_onnx

    x, y = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    model = LogisticRegression(max_iter=1000).fit(x[::2], y[::2])
    path = folder / "iris.onnx"
    path.write_bytes(to_onnx(model, x[:1]).SerializeToString())
    session = _session(path)
    labels, maps = session.run(None, {"X": x[1::10]})
    expected = [
        {"label": str(label), "probabilities": {str(k): float(p) for k, p in row.items()}}
        for label, row in zip(labels.tolist(), maps, strict=True)
    ]
    return Case(path, x[1::10].tolist(), expected)


def _shop_onnx(folder: Path) -> Case:
    """A DataFrame pipeline converted with one input per column (categorical strings the
    model refuses unknown values of), probabilities as a tensor (no ZipMap); JSON samples."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "colour": rng.choice(["red", "green", "blue"], 200),
            "size": rng.uniform(1, 30, 200).astype(np.float32),
        }
    )
    target = np.where(frame["size"] > 15, "large", "small")
    encode = ColumnTransformer(
        [("cat", OneHotEncoder(), ["colour"]), ("num", StandardScaler(), ["size"])]
    )
    model = make_pipeline(encode, LogisticRegression()).fit(frame[:150], target[:150])
    types = [("colour", StringTensorType([None, 1])), ("size", FloatTensorType([None, 1]))]
    onx = convert_sklearn(model, initial_types=types, options={id(model): {"zipmap": False}})
    path = folder / "shop.onnx"
    path.write_bytes(onx.SerializeToString())
    sample = folder / "shop-rows.json"
    sample.write_text(json.dumps(_records(frame[:3])))
    held_out = frame[150:]
    feeds = {
        "colour": held_out[["colour"]].to_numpy(dtype=object),
        "size": held_out[["size"]].to_numpy(dtype=np.float32),
    }
    labels, probabilities = _session(path).run(None, feeds)
    expected = [
        {"label": str(label), "probabilities": dict(zip(["large", "small"], row, strict=True))}
        for label, row in zip(labels.tolist(), probabilities.tolist(), strict=True)
    ]
    return Case(path, _records(held_out), expected, sample)


def _diabetes_onnx_mlflow(folder: Path) -> Case:
    """A regressor converted to ONNX and saved by MLflow's onnx flavor, its tensor's
    columns named by --features."""
    mlflow_onnx = pytest.importorskip("mlflow.onnx")
    from skl2onnx import to_onnx

    data = load_diabetes(as_frame=True)
    x = data.data.to_numpy(dtype=np.float32)
    model = LinearRegression().fit(x[:-20], data.target[:-20])
    path = folder / "diabetes-onnx"
    mlflow_onnx.save_model(to_onnx(model, x[:1]), path)
    [values] = _session(path / "model.onnx").run(None, {"X": x[-20:]})
    names = list(data.data.columns)
    held_out = [dict(zip(names, row, strict=True)) for row in x[-20:].tolist()]
    expected = [{"value": float(v)} for v in values.reshape(-1)]
    return Case(path, held_out, expected, features=names)


def _session(path: Path) -> Any:
    import onnxruntime

    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as JSON objects: to_dict, not to_json, which writes 10 digits only."""
    return json.loads(json.dumps(frame.to_dict(orient="records")))


CASES: dict[str, Callable[[Path], Case]] = {
    "diabetes-regressor-joblib": _diabetes,
    "shop-categorical-pickle": _shop,
    "cancer-mlflow-skops": _cancer,
    "iris-array-features": _iris_array,
    "awkward-names": _awkward,
    "mixed-two-outputs": _mixed,
    "iris-onnx-tensor": _iris_onnx,
    "shop-onnx-columns": _shop_onnx,
    "diabetes-onnx-mlflow": _diabetes_onnx_mlflow,
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    return CASES[request.param](tmp_path_factory.mktemp(f"{request.param}-model"))


@pytest.fixture(scope="module")
def made(case: Case, tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = import_model(case.path, features=case.features, sample=case.sample)
    output = tmp_path_factory.mktemp("projects")
    return new_project("Served Model", output_dir=output, model=model).project_dir


@pytest.fixture(scope="module")
def made_python(made: Path, python_for: Callable[[str], Path]) -> Path:
    python = python_for(Project.load(made).answers["python_version"])
    run([python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=made)
    return python


def test_the_project_passes_its_own_tests_and_lint(made: Path, made_python: Path) -> None:
    run([made_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=made)
    run([made_python, "-m", "ruff", "check", "--no-cache", "."], cwd=made)
    run([made_python, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=made)
    run([made_python, "-m", "mypy", "--no-incremental", "app"], cwd=made)


def test_the_server_answers_held_out_rows_as_the_model_does(
    case: Case, made: Path, made_python: Path
) -> None:
    instances = case.held_out

    with running_app(made, made_python, made.parent / "server.log") as url:
        status, body = _post(f"{url}/predict", {"instances": instances})
        readiness = json.loads(urllib.request.urlopen(f"{url}/readyz").read())

    assert status == 200, body
    assert body["predictions"] == _approximately(case.expected)
    assert body["model_version"] == readiness["model_version"] != ""


def test_the_project_records_its_model_and_trains_nothing(made: Path) -> None:
    record = Project.load(made)

    assert record.others["model"]["fields"]
    assert not (made / "app" / "train.py").exists()
    assert "app.train" not in (made / "README.md").read_text()
    assert "app.train" not in (made / "Dockerfile").read_text()
    assert (made / "models" / record.answers["model_file"]).exists()


def test_the_pyproject_pins_what_the_model_needs(made: Path) -> None:
    import sklearn

    minor = ".".join(sklearn.__version__.split(".")[:2])
    pyproject = (made / "pyproject.toml").read_text()

    if Project.load(made).answers["model_framework"] == "onnx":
        assert '"onnxruntime>=' in pyproject
        assert "scikit-learn" not in pyproject
    else:
        assert f'"scikit-learn=={minor}.*"' in pyproject
    run([TOOLS / "poetry", "check"], cwd=made)


def _approximately(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _approximately(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_approximately(item) for item in value]
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-6, abs=1e-9)
    return value


def _post(url: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
