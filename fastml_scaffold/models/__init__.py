"""What a user's trained model file is: read before a project is built around it.

``inspect_model(path)`` returns a ``ModelSpec``: the task, the input features with their
types, and the library versions to pin.  Each artifact format has its inspector module:
scikit-learn files (``joblib.dump`` or ``pickle.dump``), ONNX files, and MLflow model
directories of either.
Loading a pickle runs code: inspect only files you trust.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastml_scaffold.models.context import ImportedModel, template_context
from fastml_scaffold.models.samples import (
    MAX_SAMPLES,
    check_samples,
    infer_types,
    read_rows,
    synthesize,
)
from fastml_scaffold.models.spec import Feature, ModelFileError, ModelSpec, Task

__all__ = [
    "Feature",
    "ImportedModel",
    "ModelFileError",
    "ModelSpec",
    "Task",
    "import_model",
    "inspect_model",
    "template_context",
]

# Suffixes of the formats an inspector reads, and the module that reads them.
_INSPECTORS = {".joblib": "sklearn", ".pkl": "sklearn", ".pickle": "sklearn", ".onnx": "onnx"}


def inspect_model(path: Path, *, features: Sequence[str] | None = None) -> ModelSpec:
    """Read the model file at ``path``; ``features`` names the columns of a model fitted on
    an array (its inputs are otherwise ``x0``, ``x1``...)."""
    if (path / "MLmodel").is_file():
        from fastml_scaffold.models import mlflow

        return mlflow.inspect(path, features=features)
    if not path.is_file():
        raise ModelFileError(
            f"Model file {path} does not exist, or is a folder without an MLmodel file."
        )
    inspector = _INSPECTORS.get(path.suffix.lower())
    if inspector is None:
        known = ", ".join(sorted(_INSPECTORS))
        raise ModelFileError(f"{path.name}: fastml reads model files ending in {known}.")
    if inspector == "onnx":
        from fastml_scaffold.models import onnx

        return onnx.inspect(path, features=features)
    from fastml_scaffold.models import sklearn

    return sklearn.inspect(path, features=features)


def import_model(
    path: Path, *, features: Sequence[str] | None = None, sample: Path | None = None
) -> ImportedModel:
    """The model at ``path``, with the rows the project will show and test: those of
    ``sample`` (CSV or JSON), else the MLflow input example, else one made from the schema.
    The model predicts those rows here, so a project is never made around a model that
    cannot answer its own examples."""
    spec = inspect_model(path, features=features)
    if sample is not None:
        raw: Sequence[Any] = read_rows(sample, spec.features, positional=spec.arrays)
        source = sample.name
    else:
        raw, source = spec.samples[:MAX_SAMPLES], "the input example"
    if raw:
        spec = replace(spec, features=infer_types(spec.features, raw))
        rows = check_samples(raw, spec.features, source=source)
    else:
        rows = synthesize(spec.features)
        note = "The examples and tests use a row made up from the schema: pass --sample FILE."
        spec = replace(spec, notes=(*spec.notes, note))
    spec = replace(spec, samples=rows)
    return ImportedModel(_verified(path, spec, made_up=not raw), path)


def _verified(path: Path, spec: ModelSpec, *, made_up: bool) -> ModelSpec:
    """``spec`` as the model's answers to its sample rows show it (outputs, probabilities)."""
    if spec.framework == "onnx":
        from fastml_scaffold.models import onnx

        return onnx.verify(path, spec, made_up=made_up)
    from fastml_scaffold.models import mlflow, sklearn

    estimator = mlflow.estimator(path) if path.is_dir() else sklearn.load(path)[0]
    return sklearn.verify(path, estimator, spec, made_up=made_up)
