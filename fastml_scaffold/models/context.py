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

from fastml_scaffold.models.spec import Feature, ModelSpec, python_names

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
        "fields": _fields(spec),
        "element_type": spec.features[0].type.__name__ if spec.arrays else "",
        "element_bounds_py": ", ".join(_bounds(spec, 0)) if spec.arrays else "",
        "any_text": any(f.type is str and not f.closed for f in spec.features),
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


# The range of the numbers an ONNX input tensor of each type holds: a larger value gets
# 422, not an error (or an infinity) inside ONNX Runtime.
_RANGES = {
    "int64": (-(2**63), 2**63 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "float32": (-3.4028234663852886e38, 3.4028234663852886e38),
}


def _fields(spec: ModelSpec) -> list[dict[str, Any]]:
    names = python_names(spec.features)
    category_types: list[str] = []
    fields = []
    for index, (name, feature) in enumerate(zip(names, spec.features, strict=True)):
        category_type = _unique(_pascal(name) + "Category", category_types)
        category_types.append(category_type)
        fields.append(_field(name, feature, category_type, _bounds(spec, index), spec))
    return fields


def _unique(name: str, taken: list[str]) -> str:
    candidate, count = name, 1
    while candidate in taken:
        count += 1
        candidate = f"{name}{count}"
    return candidate


def _bounds(spec: ModelSpec, index: int) -> list[str]:
    """``["ge=...", "le=..."]`` for an input the model holds in a narrower type than JSON."""
    inputs = spec.runtime.get("inputs", [])
    if not inputs or spec.features[index].type not in (int, float):
        return []
    dtype = inputs[0 if len(inputs) == 1 else index]["dtype"]
    if dtype not in _RANGES:
        return []
    return [f"ge={_number(_RANGES[dtype][0])}", f"le={_number(_RANGES[dtype][1])}"]


def _number(value: float) -> str:
    """A number as ruff format writes it: 3.4e38, not 3.4e+38."""
    return repr(value).replace("e+", "e")


def _field(
    name: str, feature: Feature, category_type: str, bounds: list[str], spec: ModelSpec
) -> dict[str, Any]:
    column, categories = feature.name, feature.categories
    example = spec.samples[0][column] if spec.samples else None
    closed = bool(categories) and feature.closed
    if closed:
        description = "One of the values the model was trained on."
    elif categories:
        description = "The model knows the examples; it accepts others."
    else:
        description = f"The model's input {column!r}."
    return {
        "name": name,
        "column": column,
        "column_py": py_str(column),
        "type": feature.type.__name__,
        "categories_py": [_literal(value) for value in categories],
        "closed": closed,
        "text": feature.type is str and not closed,  # any text: refuse lone surrogates
        "category_type": category_type,
        "bounds_py": bounds,
        "description_py": py_str(description),
        "examples_py": (
            [_literal(value) for value in categories]
            if categories
            else [_literal(example)]
            if example is not None
            else []
        ),
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
