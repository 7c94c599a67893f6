"""Train the iris classifier and save it: ``python -m app.train [--output PATH]``.

The data set ships with scikit-learn, so training needs no download.  Replace this module
with your own training code; the server only needs the file it saves.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from app.config import get_settings
from app.model import FEATURES


class TrainReport(NamedTuple):
    path: Path
    version: str
    accuracy: float


def train(output: Path, *, seed: int = 0) -> TrainReport:
    """Fit a scaled logistic regression on iris, score it on held-out rows, save it."""
    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data, iris.target, test_size=0.2, random_state=seed, stratify=iris.target
    )
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    estimator.fit(x_train, y_train)
    accuracy = float(estimator.score(x_test, y_test))
    version = datetime.now(timezone.utc).strftime("iris-%Y%m%d%H%M%S")
    artifact = {
        "estimator": estimator,
        "labels": [str(name) for name in iris.target_names],
        "features": FEATURES,
        "version": version,
        "accuracy": accuracy,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(artifact, output)
    return TrainReport(output, version, accuracy)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the iris classifier and save it.")
    parser.add_argument(
        "--output", type=Path, default=get_settings().model_path, help="where to save the model"
    )
    args = parser.parse_args(argv)
    report = train(args.output)
    print(f"Saved model {report.version} to {report.path} (test accuracy {report.accuracy:.3f})")


if __name__ == "__main__":
    main()
