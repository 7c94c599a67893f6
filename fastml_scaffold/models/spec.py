"""The description of a user's model that the project template is rendered from."""

from __future__ import annotations

import enum
import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from fastml_scaffold.errors import FastmlError


class ModelFileError(FastmlError):
    """A model file fastml cannot read or serve: says why, and what to do."""


class Task(str, enum.Enum):
    CLASSIFIER = "classifier"
    REGRESSOR = "regressor"


@dataclass(frozen=True)
class Feature:
    """One input column: its name in the API (the training name) and in Python."""

    name: str  # as the model was trained: may hold spaces ("mean radius")
    type: type  # float, int, str or bool
    categories: tuple[str, ...] = ()  # the values an encoder knows, for a str column

    @property
    def alias(self) -> str:
        """A Python identifier for the name: "mean radius" -> "mean_radius"."""
        ident = re.sub(r"\W+", "_", self.name).strip("_").lower() or "feature"
        if ident[0].isdigit() or keyword.iskeyword(ident):
            ident = f"f_{ident}"
        return ident


@dataclass(frozen=True)
class ModelSpec:
    """A model as the project will serve it."""

    framework: str  # "sklearn"
    task: Task
    features: tuple[Feature, ...]
    fitted_on_frame: bool  # predict() wants a DataFrame with these column names
    labels: tuple[str, ...] = ()  # a classifier's classes, as strings
    has_probabilities: bool = False
    n_outputs: int = 1  # a regressor's outputs
    pins: dict[str, str] = field(default_factory=dict)  # distribution -> version specifier
    notes: tuple[str, ...] = ()  # what the user should know (features named x0, x1...)
    version: str = ""  # the artifact's own id (MLflow's model id), if it has one
    samples: tuple[dict[str, Any], ...] = ()  # real input rows, by feature name
