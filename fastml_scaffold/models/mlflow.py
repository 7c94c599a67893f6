"""MLflow model directories (an ``MLmodel`` file), read without MLflow itself.

The ``sklearn`` flavor, in any of MLflow 3's serialization formats: ``skops`` (its default;
needs the ``skops`` library), ``cloudpickle`` and ``pickle``; and the ``onnx`` flavor, read
as any ONNX file.  The features come from the signature, whose names may hold spaces (or,
for ONNX, from the graph); the versions from the flavor's metadata.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastml_scaffold.models import sklearn
from fastml_scaffold.models.spec import Feature, ModelFileError, ModelSpec

# MLflow's column types, as the API's field types.
_TYPES: dict[str, type] = {
    "double": float,
    "float": float,
    "long": int,
    "integer": int,
    "string": str,
    "boolean": bool,
}


def inspect(directory: Path, *, features: Sequence[str] | None = None) -> ModelSpec:
    mlmodel = _read_mlmodel(directory)
    flavors = mlmodel.get("flavors") or {}
    if not isinstance(flavors, dict):
        raise ModelFileError(f"{directory / 'MLmodel'}: its flavors are not a mapping.")
    if isinstance(flavors.get("onnx"), dict) and "data" in flavors["onnx"]:
        return _onnx(directory, mlmodel, flavors["onnx"], features)
    flavor = flavors.get("sklearn")
    if not isinstance(flavor, dict) or "pickled_model" not in flavor:
        found = ", ".join(sorted(flavors)) or "none"
        raise ModelFileError(
            f"{directory.name}: fastml serves MLflow's sklearn and onnx flavors; this model "
            f"has {found}."
        )
    estimator, saved_with = _load(directory / str(flavor["pickled_model"]), flavor)
    declared = _signature(directory, mlmodel)
    if features is not None and declared:
        raise ModelFileError(
            f"{directory.name} has a signature that names its inputs: leave --features out."
        )
    unnamed = getattr(estimator, "feature_names_in_", None) is None
    if not declared and unnamed and features is None:
        raise ModelFileError(
            f"{directory.name} names none of its inputs (no signature of columns, and a model "
            "fitted without column names): name them with --features a,b,..., or save the "
            "model with a signature."
        )
    version = str(flavor.get("sklearn_version") or saved_with)
    spec = sklearn.describe(
        directory,
        estimator,
        version,
        features=features,
        declared=declared,
        model_version=_model_id(mlmodel),
    )
    return replace(
        spec,
        samples=_input_example(directory, mlmodel, spec),
        pins={**_requirements(directory, ("skops", "cloudpickle")), **spec.pins},
        artifact=str(flavor.get("serialization_format", "pickle")),
        artifact_file=str(flavor["pickled_model"]),
        source=str(directory),
    )


def estimator(directory: Path) -> Any:
    """The estimator of an MLflow folder that ``inspect`` read."""
    flavor = _read_mlmodel(directory)["flavors"]["sklearn"]
    return _load(directory / str(flavor["pickled_model"]), flavor)[0]


def _onnx(
    directory: Path, mlmodel: dict[str, Any], flavor: dict[str, Any], features: Any
) -> ModelSpec:
    """MLflow's onnx flavor: the ONNX file it holds, read as any ONNX file."""
    from fastml_scaffold.models import onnx

    file = directory / str(flavor["data"])
    spec = onnx.inspect(file, features=features, source=directory)
    return replace(
        spec,
        samples=_input_example(directory, mlmodel, spec),
        pins={**spec.pins, **_requirements(directory, ("onnxruntime",))},
        artifact_file=str(flavor["data"]),
        version=_model_id(mlmodel),
    )


def _requirements(directory: Path, names: Sequence[str]) -> dict[str, str]:
    """Lower bounds for ``names`` from the versions in the folder's requirements.txt
    (``skops==0.16.0`` gives ``skops>=0.16``): a newer release reads what an older wrote."""
    try:
        lines = (directory / "requirements.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    found = {}
    for line in lines:
        name, sep, version = line.partition("==")
        name = name.strip().lower()
        if sep and name in names and version.strip()[:1].isdigit():
            found[name] = ">=" + ".".join(version.strip().split(".")[:2])
    return found


def _model_id(mlmodel: dict[str, Any]) -> str:
    """The id MLflow gave the model: its model id (MLflow 3), run id, or uuid."""
    return str(mlmodel.get("model_id") or mlmodel.get("run_id") or mlmodel.get("model_uuid") or "")


def _read_mlmodel(directory: Path) -> dict[str, Any]:
    import yaml  # PyYAML, a dependency of Cookiecutter

    try:
        data = yaml.safe_load((directory / "MLmodel").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(f"Cannot read {directory / 'MLmodel'}: {why}.") from None
    if not isinstance(data, dict):
        raise ModelFileError(f"{directory / 'MLmodel'} is not an MLflow model file.")
    return data


def _load(path: Path, flavor: dict[str, Any]) -> tuple[Any, str]:
    if flavor.get("serialization_format", "pickle") != "skops":
        return sklearn.load(path)  # pickle and cloudpickle files unpickle alike
    try:
        import skops.io
    except ImportError:
        raise ModelFileError(
            f"{path.name} is saved with skops (MLflow 3's default): install skops where "
            "fastml runs (pip install skops), then run again."
        ) from None
    try:  # the user vouches for the file by giving it, as for a pickle
        return skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path)), ""
    except Exception as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{path.name} could not be read with skops ({why}).") from None


def _input_example(
    directory: Path, mlmodel: dict[str, Any], spec: ModelSpec
) -> tuple[dict[str, Any], ...]:
    """The rows of the input example saved with the model, if any: a DataFrame in pandas'
    "split" form, or an array (``{"inputs": [[...], ...]}``) for a model of one tensor."""
    info = mlmodel.get("saved_input_example_info") or {}
    if not isinstance(info, dict) or "artifact_path" not in info:
        return ()
    try:
        example = json.loads((directory / str(info["artifact_path"])).read_text(encoding="utf-8"))
        if "columns" in example and not spec.arrays:
            columns, rows = example["columns"], example["data"]
            return tuple(dict(zip(columns, row, strict=True)) for row in rows)
        if isinstance(example, dict):  # {"data": [...]} or {"inputs": [...]}
            example = example["data"] if "data" in example else example["inputs"]
        rows = example
        if rows and isinstance(rows[0], dict):  # records
            return tuple(dict(row) for row in rows)
        names = [feature.name for feature in spec.features]
        return tuple(dict(zip(names, row, strict=True)) for row in rows)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ModelFileError(
            f"{directory.name}: its input example is not rows fastml can read ({exc})."
        ) from None


def _signature(directory: Path, mlmodel: dict[str, Any]) -> tuple[Feature, ...]:
    """The input columns the signature declares (none without a signature)."""
    signature = mlmodel.get("signature") or {}
    raw = signature.get("inputs") if isinstance(signature, dict) else None
    if not raw:
        return ()
    try:
        columns = json.loads(raw)
        if any(column.get("type") == "tensor" for column in columns):
            return ()  # an array: its columns have no names (--features gives them)
        return tuple(_column(column) for column in columns)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ModelFileError(
            f"{directory.name}: its signature's inputs are not columns fastml can serve ({exc})."
        ) from None


def _column(column: dict[str, Any]) -> Feature:
    kind = _TYPES.get(column["type"])
    if kind is None:
        raise ValueError(f"column {column.get('name')!r} is of type {column['type']!r}")
    return Feature(str(column["name"]), kind)
