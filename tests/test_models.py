"""Inspecting a user's model file: what fastml new --model will build the service around.

The models are fitted here, on the datasets scikit-learn ships, and saved as a user would.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import joblib
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fastml_scaffold.models import Feature, ModelFileError, Task, inspect_model


def test_a_regressor_fitted_on_a_dataframe(tmp_path: Path) -> None:
    data = load_diabetes(as_frame=True)
    path = tmp_path / "diabetes.joblib"
    joblib.dump(LinearRegression().fit(data.data, data.target), path)

    spec = inspect_model(path)

    assert spec.task is Task.REGRESSOR
    assert spec.fitted_on_frame
    assert [f.name for f in spec.features] == list(data.data.columns)
    assert {f.type for f in spec.features} == {float}
    assert spec.pins["scikit-learn"].startswith("==1.")


def test_a_classifier_pipeline_with_categorical_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "colour": ["red", "green", "blue", "red"] * 10,
            "size cm": [1.0, 2.5, 3.0, 0.5] * 10,
        }
    )
    target = ["small", "large", "large", "small"] * 10
    encode = ColumnTransformer(
        [("cat", OneHotEncoder(), ["colour"]), ("num", StandardScaler(), ["size cm"])]
    )
    path = tmp_path / "shop.pkl"
    path.write_bytes(pickle.dumps(make_pipeline(encode, LogisticRegression()).fit(frame, target)))

    spec = inspect_model(path)

    assert spec.task is Task.CLASSIFIER
    assert spec.labels == ("large", "small")
    assert spec.has_probabilities
    assert spec.features == (
        Feature("colour", str, ("blue", "green", "red"), closed=True),
        Feature("size cm", float),
    )
    assert spec.features[1].alias == "size_cm"


def test_a_model_fitted_on_an_array_is_named_by_features(tmp_path: Path) -> None:
    x, y = load_iris(return_X_y=True)
    path = tmp_path / "iris.joblib"
    joblib.dump(LogisticRegression(max_iter=500).fit(x, y), path)

    unnamed = inspect_model(path)
    named = inspect_model(path, features=["sl", "sw", "pl", "pw"])

    assert [f.name for f in unnamed.features] == ["x0", "x1", "x2", "x3"]
    assert "--features" in unnamed.notes[0]
    assert [f.name for f in named.features] == ["sl", "sw", "pl", "pw"]
    assert not named.fitted_on_frame
    with pytest.raises(ModelFileError, match="takes 4 inputs, and --features names 2"):
        inspect_model(path, features=["a", "b"])


class NotAModel:
    pass


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    x, y = load_iris(return_X_y=True)
    good = pickle.dumps(LogisticRegression(max_iter=500).fit(x, y))
    files = {
        "text": (b"not a model\n", "not a model file"),
        "truncated": (good[: len(good) // 2], "not a model file"),
        "no predict": (pickle.dumps(NotAModel()), "has no predict()"),
        "missing module": (_pickle_from_a_module_since_removed(tmp_path), "needs the module"),
    }
    out = {}
    for label, (data, message) in files.items():
        path = tmp_path / f"{label.replace(' ', '-')}.pkl"
        path.write_bytes(data)
        out[label] = (path, message)
    return out


def _pickle_from_a_module_since_removed(tmp_path: Path) -> bytes:
    """A pickle of the user's own class, from a module fastml's environment does not have."""
    (tmp_path / "users_model_code.py").write_text(
        "class Model:\n    def predict(self, rows):\n        return rows\n", encoding="utf-8"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import users_model_code  # type: ignore[import-not-found]

        data = pickle.dumps(users_model_code.Model())
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("users_model_code", None)
    (tmp_path / "users_model_code.py").unlink()
    return data


@pytest.mark.parametrize("label", ["text", "truncated", "no predict", "missing module"])
def test_a_file_that_is_not_a_servable_model_is_one_clear_error(tmp_path: Path, label: str) -> None:
    path, message = _bad_files(tmp_path)[label]

    with pytest.raises(ModelFileError, match=message) as excinfo:
        inspect_model(path)

    assert "\n" not in str(excinfo.value)


def test_an_unknown_format_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        inspect_model(tmp_path / "nothing.joblib")
    (tmp_path / "model.h5").write_bytes(b"")
    with pytest.raises(ModelFileError, match="reads model files ending in"):
        inspect_model(tmp_path / "model.h5")


# MLflow model directories, laid out as MLflow 3's save_model writes them (MLmodel, the
# model file, a signature whose column names hold spaces); made here without MLflow.


def mlflow_directory(tmp_path: Path, fmt: str = "pickle", signature: bool = True) -> Path:
    data = load_breast_cancer(as_frame=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(data.data, data.target)
    directory = tmp_path / "model"
    directory.mkdir()
    model_file = "model.skops" if fmt == "skops" else "model.pkl"
    (directory / model_file).write_bytes(pickle.dumps(model))
    columns = [{"type": "double", "name": name, "required": True} for name in data.data.columns]
    lines = [
        "flavors:",
        "  sklearn:",
        f"    pickled_model: {model_file}",
        f"    serialization_format: {fmt}",
        "    sklearn_version: 1.9.1",
        "mlflow_version: 3.16.1",
        "model_id: m-0a24c301ab8840bc9af390a84b80d1ca",
    ]
    if signature:
        lines += ["signature:", f"  inputs: '{json.dumps(columns)}'"]
        example = {"columns": list(data.data.columns), "data": data.data.head(2).values.tolist()}
        (directory / "input_example.json").write_text(json.dumps(example), encoding="utf-8")
        lines += [
            "saved_input_example_info:",
            "  artifact_path: input_example.json",
            "  pandas_orient: split",
            "  type: dataframe",
        ]
    (directory / "MLmodel").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def test_an_mlflow_directory_keeps_its_column_names(tmp_path: Path) -> None:
    spec = inspect_model(mlflow_directory(tmp_path))

    assert spec.task is Task.CLASSIFIER
    assert spec.features[0] == Feature("mean radius", float)
    assert spec.features[0].alias == "mean_radius"
    assert len(spec.features) == 30
    assert spec.pins == {"scikit-learn": "==1.9.*"}
    assert spec.version == "m-0a24c301ab8840bc9af390a84b80d1ca"
    assert len(spec.samples) == 2
    assert spec.samples[0]["mean radius"] == load_breast_cancer().data[0][0]


def test_an_mlflow_directory_without_a_signature_uses_the_model_s_columns(
    tmp_path: Path,
) -> None:
    spec = inspect_model(mlflow_directory(tmp_path, signature=False))

    assert spec.features[0].name == "mean radius"


def test_a_skops_model_without_skops_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "skops", None)  # import skops fails, as if absent
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with pytest.raises(ModelFileError, match=r"saved with skops .*pip install skops"):
        inspect_model(mlflow_directory(tmp_path, fmt="skops"))


def test_an_mlflow_model_of_another_flavor_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "model"
    directory.mkdir()
    (directory / "MLmodel").write_text("flavors:\n  pytorch: {}\n", encoding="utf-8")

    with pytest.raises(ModelFileError, match="sklearn and onnx flavors; this model has pytorch"):
        inspect_model(directory)
