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
    categories: tuple[Any, ...] = ()  # the values an encoder knows (of ``type``)
    closed: bool = False  # the encoder refuses other values: the API must refuse them too

    @property
    def alias(self) -> str:
        """A Python identifier for the name: "mean radius" -> "mean_radius"."""
        ident = re.sub(r"\W+", "_", self.name).strip("_").lower() or "feature"
        if ident[0].isdigit() or keyword.iskeyword(ident):
            ident = f"f_{ident}"
        return ident


# Names a pydantic field cannot take (BaseModel's own methods; model_* is reserved too),
# and the generated class's row().
_TAKEN = frozenset(
    {
        "Any",
        "Field",
        "Literal",
        "bool",
        "construct",
        "copy",
        "dict",
        "float",
        "int",
        "list",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "row",
        "schema",
        "schema_json",
        "str",
        "tuple",
        "type",
        "update_forward_refs",
        "validate",
    }
)


def python_names(features: tuple[Feature, ...]) -> list[str]:
    """One distinct Python identifier per feature, in order ("a b" and "a_b": a_b, a_b_2)."""
    names: list[str] = []
    for feature in features:
        base = feature.alias
        if base in _TAKEN or base.startswith("model_"):
            base = f"f_{base}"
        name, count = base, 1
        while name in names:
            count += 1
            name = f"{base}_{count}"
        names.append(name)
    return names


@dataclass(frozen=True)
class ModelSpec:
    """A model as the project will serve it."""

    framework: str  # "sklearn" or "onnx"
    task: Task
    features: tuple[Feature, ...]
    fitted_on_frame: bool  # predict() wants a DataFrame with these column names
    labels: tuple[str, ...] = ()  # a classifier's classes, as strings
    has_probabilities: bool = False
    n_outputs: int = 1  # a regressor's outputs
    pins: dict[str, str] = field(default_factory=dict)  # distribution -> version specifier
    newest_python: str = ""  # the newest Python the pinned libraries support, if known
    notes: tuple[str, ...] = ()  # what the user should know (features named x0, x1...)
    version: str = ""  # the artifact's own id (MLflow's model id), if it has one
    samples: tuple[dict[str, Any], ...] = ()  # real input rows, by feature name
    artifact: str = ""  # how the file stores the model: "joblib", or MLflow's "skops"...
    artifact_file: str = ""  # in an MLflow directory: the file that holds the model
    source: str = ""  # the path the user gave
    arrays: bool = False  # instances are arrays of numbers, not objects (an unnamed tensor)
    runtime: dict[str, Any] = field(default_factory=dict)  # what the framework's loader
    # needs to know: an ONNX model's input and output names and types
