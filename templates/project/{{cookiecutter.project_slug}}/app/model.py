"""The ML model: loaded once from a file, then asked for predictions a batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import joblib
import numpy as np

# The order of the columns the model was trained on.
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


class ModelNotFoundError(FileNotFoundError):
    """No trained model where the settings point."""


class Prediction(NamedTuple):
    label: str
    probabilities: dict[str, float]


class IrisModel:
    """A trained classifier with the class labels and the version it was saved with."""

    def __init__(self, estimator: Any, labels: Sequence[str], version: str) -> None:
        self.estimator = estimator
        self.labels = tuple(labels)
        self.version = version

    @classmethod
    def load(cls, path: Path) -> IrisModel:
        """Load a model saved by ``python -m app.train``.

        joblib files are pickles: load only files you made or trust.
        """
        if not path.is_file():
            raise ModelNotFoundError(f"No model at {path}: train one with `python -m app.train`.")
        artifact = joblib.load(path)
        return cls(artifact["estimator"], artifact["labels"], artifact["version"])

    def predict(self, rows: Sequence[Sequence[float]]) -> list[Prediction]:
        """Predict a batch: one row of ``FEATURES`` values in, one ``Prediction`` out."""
        probabilities = self.estimator.predict_proba(np.asarray(rows, dtype=np.float64))
        best = probabilities.argmax(axis=1)
        return [
            Prediction(self.labels[index], dict(zip(self.labels, row.tolist(), strict=True)))
            for index, row in zip(best.tolist(), probabilities, strict=True)
        ]
