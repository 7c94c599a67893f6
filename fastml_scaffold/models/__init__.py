"""What a user's trained model file is: read before a project is built around it.

``inspect_model(path)`` returns a ``ModelSpec``: the task, the input features with their
types, and the library versions to pin.  Each artifact format has its inspector module:
scikit-learn files (``joblib.dump`` or ``pickle.dump``) and MLflow model directories.
Loading a pickle runs code: inspect only files you trust.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastml_scaffold.models.spec import Feature, ModelFileError, ModelSpec, Task

__all__ = ["Feature", "ModelFileError", "ModelSpec", "Task", "inspect_model"]

# Suffixes of the formats an inspector reads, and the module that reads them.
_INSPECTORS = {".joblib": "sklearn", ".pkl": "sklearn", ".pickle": "sklearn"}


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
    from fastml_scaffold.models import sklearn

    return sklearn.inspect(path, features=features)
