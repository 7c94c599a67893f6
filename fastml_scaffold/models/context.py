"""A ``ModelSpec`` as the project template reads it: ``cookiecutter._model``.

Everything the template writes into Python comes from here as a ready literal, in the
form ``ruff format`` keeps (double quotes, one item per line with a trailing comma), so
the generated files are formatted whatever names and values the model brings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastml_scaffold.models.spec import ModelSpec, python_names

# The extras each way of storing a model needs in the generated project.
_ARTIFACT_REQUIREMENTS = {"skops": ["skops>=0.10"], "cloudpickle": ["cloudpickle>=2.2"]}


@dataclass(frozen=True)
class ImportedModel:
    """A user's model to build the project around: its spec and where its file is."""

    spec: ModelSpec
    path: Path  # a file, or an MLflow model folder

    @property
    def file_name(self) -> str:
        """Its name in the project's ``models/``: ``model`` and the file's own suffix."""
        return "model" if self.path.is_dir() else f"model{self.path.suffix.lower()}"


def template_context(model: ImportedModel) -> dict[str, Any]:
    """The ``_model`` context of the project template."""
    spec = model.spec
    names = python_names(spec.features)
    return {
        "task": spec.task.value,
        "framework": spec.framework,
        "artifact": spec.artifact,
        "artifact_file": spec.artifact_file,
        "mlflow": model.path.is_dir(),
        "on_frame": spec.fitted_on_frame,
        "arrays": spec.arrays,
        "runtime": spec.runtime,
        "source": model.path.name,
        "fields": [
            _field(name, feature.name, feature.type, feature.categories, feature.closed, spec)
            for name, feature in zip(names, spec.features, strict=True)
        ],
        "samples": [
            {str(key): value for key, value in row.items()} for row in spec.samples
        ],  # for the record
        "samples_py": _samples_literal(spec),
        # The first instance, for the README's examples: JSON for curl, Python for httpx.
        "example_json": json.dumps(_instances(spec)[0], ensure_ascii=False),
        "example_py": _row_literal(_instances(spec)[0], indent=""),
        "labels": list(spec.labels),
        "labels_py": [py_str(label) for label in spec.labels],
        "example_label": py_str(spec.labels[0]) if spec.labels else "",
        # {"first class": 1.0, "second": 0.0, ...}, for /docs
        "probabilities_example_py": "{"
        + ", ".join(
            f"{py_str(label)}: {1.0 if index == 0 else 0.0}"
            for index, label in enumerate(spec.labels[:5])
        )
        + "}",
        "has_probabilities": spec.has_probabilities,
        "n_outputs": spec.n_outputs,
        "version": spec.version,
        "requirements": [
            *(f"{name}{pin}" for name, pin in spec.pins.items()),
            *(
                requirement
                for requirement in _ARTIFACT_REQUIREMENTS.get(spec.artifact, [])
                if requirement.split(">=")[0] not in spec.pins
            ),
            *(["pandas>=2"] if spec.fitted_on_frame else []),
        ],
        "notes": list(spec.notes),
    }


def _field(
    name: str,
    column: str,
    kind: type,
    categories: tuple[str, ...],
    closed: bool,
    spec: ModelSpec,
) -> dict[str, Any]:
    example = spec.samples[0][column] if spec.samples else None
    if categories and closed:
        description = "One of the values the model was trained on."
    elif categories:
        description = "The model knows the examples; it accepts others."
    else:
        description = f"The model's input {column!r}."
    return {
        "name": name,
        "column": column,
        "column_py": py_str(column),
        "type": kind.__name__,
        "categories_py": [py_str(value) for value in categories],
        "closed": bool(categories) and closed,
        "category_type": _pascal(name) + "Category",
        "description_py": py_str(description),
        "examples_py": (
            [py_str(value) for value in categories]
            if categories
            else [_literal(example)]
            if example is not None
            else []
        ),
        "dtype": {"float": "float64", "int": "int64", "bool": "bool"}.get(kind.__name__, "object"),
    }


def _instances(spec: ModelSpec) -> list[Any]:
    """The sample rows as the API takes them: objects, or arrays for an unnamed tensor."""
    if spec.arrays:
        return [[row[f.name] for f in spec.features] for row in spec.samples]
    return list(spec.samples)


def _samples_literal(spec: ModelSpec) -> str:
    """``[{"column": value, ...}, ...]`` exploded one item per line, as ruff formats it."""
    rows = "".join(f"    {_row_literal(row, indent='    ')},\n" for row in _instances(spec))
    return f"[\n{rows}]"


def _row_literal(row: dict[str, Any] | list[Any], *, indent: str) -> str:
    """``{"column": value, ...}`` (or ``[value, ...]``) exploded one item per line."""
    if isinstance(row, list):
        values = "".join(f"{indent}    {_literal(value)},\n" for value in row)
        return f"[\n{values}{indent}]"
    items = "".join(
        f"{indent}    {py_str(key)}: {_literal(value)},\n" for key, value in row.items()
    )
    return f"{{\n{items}{indent}}}"


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, (bool, int, float)):
        return repr(value)
    raise TypeError(f"not a sample value: {value!r}")


def py_str(text: str) -> str:
    """A Python string literal in the quotes ruff format prefers: double, unless the text
    holds more double quotes than single ones."""
    quote = '"' if text.count('"') <= text.count("'") else "'"
    return quote + "".join(_escaped(char, quote) for char in text) + quote


def _escaped(char: str, quote: str) -> str:
    if char in ("\\", quote):
        return "\\" + char
    if char.isprintable() or char == " ":
        return char
    return repr(char)[1:-1]  # \n, \x1b, \u2028...


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"_+", name) if part)
