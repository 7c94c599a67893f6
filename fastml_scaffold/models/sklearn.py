"""scikit-learn estimators and pipelines saved with ``joblib.dump`` or ``pickle.dump``."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastml_scaffold.models.spec import Feature, ModelFileError, ModelSpec, Task

INSTALL_HINT = "install it where fastml runs: pip install 'fastml-scaffold[sklearn]'"
# The newest Python that each older scikit-learn release has wheels for on PyPI; the
# project pins the release the model was saved with, so its Python must be one of those.
# Releases from 1.5 on have wheels for every Python the template offers.
NEWEST_PYTHON = {
    "0.24": "3.9",
    "1.0": "3.10",
    "1.1": "3.11",
    "1.2": "3.11",
    "1.3": "3.12",
    "1.4": "3.12",
}


def inspect(path: Path, *, features: Sequence[str] | None = None) -> ModelSpec:
    estimator, version = load(path)
    spec = describe(path, estimator, version, features=features)
    return replace(spec, artifact="joblib", source=str(path))


def describe(
    path: Path,
    estimator: Any,
    version: str,
    *,
    features: Sequence[str] | None = None,
    declared: Sequence[Feature] = (),
    model_version: str = "",
) -> ModelSpec:
    """The spec of a loaded estimator; ``declared`` features (an MLflow signature) win over
    what the estimator says of its inputs."""
    if not callable(getattr(estimator, "predict", None)):
        raise ModelFileError(
            f"{path.name} holds a {type(estimator).__name__}, which has no predict(): "
            "save the fitted estimator or pipeline itself."
        )
    task = _task(path, estimator)
    if task is Task.CLASSIFIER and int(getattr(estimator, "n_outputs_", 1) or 1) > 1:
        raise ModelFileError(
            f"{path.name} is a multi-output classifier: fastml serves classifiers of one "
            "output, and regressors of one or more."
        )
    categories = _categories(estimator)
    notes: tuple[str, ...] = ()
    if declared:  # a frame with these columns, unless the estimator was fitted on an array
        on_frame = getattr(estimator, "feature_names_in_", None) is not None
        specs = tuple(_feature(f.name, f.type, categories) for f in declared)
    else:
        columns, on_frame, notes = _columns(path, estimator, features)
        # float unless an encoder says otherwise; sample rows may still show a str column
        specs = tuple(_feature(name, float, categories) for name in columns)
    return ModelSpec(
        framework="sklearn",
        task=task,
        features=specs,
        fitted_on_frame=on_frame,
        labels=tuple(str(label) for label in getattr(estimator, "classes_", ())),
        has_probabilities=task is Task.CLASSIFIER and hasattr(estimator, "predict_proba"),
        n_outputs=int(getattr(estimator, "n_outputs_", 1) or 1),
        pins={"scikit-learn": f"=={_minor(version)}.*"},
        newest_python=NEWEST_PYTHON.get(_minor(version), ""),
        notes=notes,
        version=model_version,
    )


def verify(path: Path, estimator: Any, spec: ModelSpec, *, made_up: bool) -> ModelSpec:
    """``spec`` as the estimator's answers to the sample rows show it: how many outputs a
    regressor has (linear models keep no ``n_outputs_``), and whether ``predict_proba``
    answers one column per class."""
    import numpy as np

    inputs = _inputs(path, spec)
    try:
        answers = np.asarray(estimator.predict(inputs))
        width = answers.shape[1] if answers.ndim == 2 else 1
        if spec.task is Task.REGRESSOR:
            return replace(spec, n_outputs=width)
        if width > 1:
            raise ModelFileError(
                f"{path.name} is a multi-output classifier: fastml serves classifiers of one "
                "output, and regressors of one or more."
            )
        fits = spec.has_probabilities and _probabilities_fit(estimator, inputs, spec.labels)
        return replace(spec, has_probabilities=fits)
    except ModelFileError:
        raise
    except Exception as exc:  # the user's model: any error is possible
        raise ModelFileError(cannot_predict(path, exc, made_up=made_up)) from None


def cannot_predict(path: Path, exc: Exception, *, made_up: bool) -> str:
    why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if made_up:
        return (
            f"{path.name} cannot predict the row fastml made up from its inputs ({why}): "
            "give real rows with --sample FILE."
        )
    return f"{path.name} cannot predict its sample rows ({why}): check they fit the model."


def _inputs(path: Path, spec: ModelSpec) -> Any:
    names = [feature.name for feature in spec.features]
    rows = [[row[name] for name in names] for row in spec.samples]
    if not spec.fitted_on_frame:
        import numpy as np

        return np.asarray(rows, dtype=np.float64)
    try:
        import pandas as pd
    except ImportError:
        raise ModelFileError(f"Reading {path.name} needs pandas: {INSTALL_HINT}.") from None
    return pd.DataFrame(rows, columns=names)


def _probabilities_fit(estimator: Any, inputs: Any, labels: Sequence[str]) -> bool:
    """predict_proba answers one probability per class (an SVC without probability=True
    has the method and refuses the call)."""
    try:
        probabilities = estimator.predict_proba(inputs)
    except Exception:
        return False
    return getattr(probabilities, "shape", (0, 0))[1:] == (len(labels),)


def load(path: Path) -> tuple[Any, str]:
    """The estimator, and the scikit-learn version it was saved with: unpickling across
    versions is unsafe, so the project pins it."""
    try:
        import joblib
        import sklearn
        from sklearn.exceptions import InconsistentVersionWarning
    except ImportError as exc:
        raise ModelFileError(f"Reading {path.name} needs {exc.name}: {INSTALL_HINT}.") from None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InconsistentVersionWarning)
            estimator = joblib.load(path)
        saved_with = [
            w.message.original_sklearn_version
            for w in caught
            if isinstance(w.message, InconsistentVersionWarning)
        ]
        return estimator, saved_with[0] if saved_with else sklearn.__version__
    except ModuleNotFoundError as exc:
        raise ModelFileError(
            f"{path.name} needs the module {exc.name!r}, which is not installed where fastml "
            "runs: install it there, then run again."
        ) from None
    except Exception as exc:  # a pickle can fail in any way: its bytes are code
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(
            f"{path.name} is not a model file fastml can read, or it is truncated ({why})."
        ) from None


def _feature(
    name: str, declared: type, categories: dict[str, tuple[type, tuple[Any, ...], bool]]
) -> Feature:
    if name not in categories:
        return Feature(name, declared)
    kind, values, refuses = categories[name]
    return Feature(name, kind, values, refuses)


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _task(path: Path, estimator: Any) -> Task:
    from sklearn.base import is_classifier, is_regressor

    if is_classifier(estimator):
        return Task.CLASSIFIER
    if is_regressor(estimator):
        return Task.REGRESSOR
    raise ModelFileError(
        f"{path.name} holds a {type(estimator).__name__}, which is neither a classifier nor a "
        "regressor: fastml serves those two."
    )


def _columns(
    path: Path, estimator: Any, features: Sequence[str] | None
) -> tuple[list[str], bool, tuple[str, ...]]:
    """The input columns, whether predict() wants a DataFrame, and notes for the user."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        if features is not None and list(features) != [str(n) for n in names]:
            raise ModelFileError(
                f"{path.name} was fitted on the columns {', '.join(map(str, names))}: "
                "--features must name those, in that order, or be left out."
            )
        return [str(name) for name in names], True, ()
    count = getattr(estimator, "n_features_in_", None)
    if count is None:
        raise ModelFileError(f"{path.name}: the estimator does not say how many inputs it takes.")
    if features is None:
        note = f"The model was fitted on an array: its {count} inputs are named x0 to x{count - 1}."
        return (
            [f"x{index}" for index in range(count)],
            False,
            (note + " Name them with --features.",),
        )
    if len(features) != count:
        raise ModelFileError(
            f"{path.name} takes {count} inputs, and --features names {len(features)}: "
            f"give {count} names."
        )
    return list(features), False, ()


def _categories(estimator: Any) -> dict[str, tuple[type, tuple[Any, ...], bool]]:
    """The categorical columns behind a ColumnTransformer's encoders: their type, known
    values (a missing value, which JSON cannot send as a category, left out), and whether
    the encoder refuses others (handle_unknown="error")."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    found: dict[str, tuple[type, tuple[Any, ...], bool]] = {}
    for step in _steps(estimator):
        if not isinstance(step, ColumnTransformer):
            continue
        for _, transformer, columns in step.transformers_:
            for inner in _steps(transformer):
                if isinstance(inner, (OneHotEncoder, OrdinalEncoder)):
                    refuses = getattr(inner, "handle_unknown", "error") == "error"
                    for column, values in zip(columns, inner.categories_, strict=False):
                        known = tuple(_plain(v) for v in values if not _missing(v))
                        found[str(column)] = (_kind(known), known, refuses)
    return found


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds."""
    return value.item() if hasattr(value, "item") else value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _kind(values: tuple[Any, ...]) -> type:
    """str, int, float or bool: the one type of the values (str when they mix)."""
    kinds = {type(value) for value in values}
    if kinds <= {bool}:
        return bool if kinds else str
    if kinds <= {int}:
        return int
    if kinds <= {int, float}:
        return float
    return str


def _steps(estimator: Any) -> list[Any]:
    """The estimator, or the steps of a Pipeline."""
    steps = getattr(estimator, "steps", None)
    return [step for _, step in steps] if steps is not None else [estimator]
