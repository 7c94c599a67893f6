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

from fastml_scaffold.models.context import ImportedModel, template_context
from fastml_scaffold.models.samples import MAX_SAMPLES, check_samples, read_samples, synthesize
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
    ``sample`` (CSV or JSON), else the MLflow input example, else one made from the schema."""
    spec = inspect_model(path, features=features)
    if sample is not None:
        rows = read_samples(sample, spec.features, positional=spec.arrays)
    elif spec.samples:
        rows = check_samples(spec.samples[:MAX_SAMPLES], spec.features, source="input example")
    else:
        rows = synthesize(spec.features)
        note = "The examples and tests use a row made up from the schema: pass --sample FILE."
        spec = replace(spec, notes=(*spec.notes, note))
    return ImportedModel(replace(spec, samples=rows), path)
