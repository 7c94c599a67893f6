"""ONNX models, read with ONNX Runtime (what the project serves them with).

The inputs come from the graph: one 2-D number tensor (a model converted from an array)
becomes instances that are arrays of numbers, or named fields with ``--features``; one
input per column (skl2onnx's form for a DataFrame) becomes one field per input.  A
classifier is told by its label output; its classes and its encoders' categories come
from the graph's nodes when the ``onnx`` package is there to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastml_scaffold.models.spec import Feature, ModelFileError, ModelSpec, Task

INSTALL_HINT = "install it where fastml runs: pip install 'fastml-scaffold[onnx]'"
# ONNX element types, as the API's field types and the dtypes the model takes.
_TYPES: dict[str, tuple[type, str]] = {
    "tensor(float)": (float, "float32"),
    "tensor(double)": (float, "float64"),
    "tensor(int64)": (int, "int64"),
    "tensor(int32)": (int, "int32"),
    "tensor(string)": (str, "str"),
    "tensor(bool)": (bool, "bool"),
}
# Nodes that pass one column on unchanged in value, between an input and its encoder.
_PASS_THROUGH = {"Identity", "Cast", "Gather", "Reshape", "Squeeze", "Unsqueeze", "Flatten"}


def inspect(
    path: Path, *, features: Sequence[str] | None = None, source: Path | None = None
) -> ModelSpec:
    """The spec of the ONNX file at ``path`` (``source``: the MLflow folder it is in)."""
    session = _session(path)
    graph = _graph(path)
    inputs = session.get_inputs()
    runtime: dict[str, Any] = {}
    arrays = False
    if len(inputs) == 1 and len(inputs[0].shape) == 2 and inputs[0].type in _NUMBERS:
        specs, arrays, notes = _tensor_features(path, inputs[0], features)
        runtime["inputs"] = [{"name": inputs[0].name, "dtype": _TYPES[inputs[0].type][1]}]
    else:
        specs, notes = _column_features(path, inputs, features, graph), ()
        runtime["inputs"] = [{"name": i.name, "dtype": _TYPES[i.type][1]} for i in inputs]
    task, labels, outputs = _outputs(path, session, graph)
    runtime.update(outputs)
    import onnxruntime

    return ModelSpec(
        framework="onnx",
        task=task,
        features=specs,
        fitted_on_frame=False,
        labels=labels,
        has_probabilities="probability_output" in outputs,
        n_outputs=outputs.get("n_outputs", 1),
        pins={"onnxruntime": f">={'.'.join(onnxruntime.__version__.split('.')[:2])}"},
        notes=notes,
        artifact="onnx",
        arrays=arrays,
        runtime=runtime,
        source=str(source or path),
    )


_NUMBERS = {"tensor(float)", "tensor(double)", "tensor(int64)", "tensor(int32)"}


def verify(path: Path, spec: ModelSpec, *, made_up: bool) -> ModelSpec:
    """``spec`` as the model's answers to the sample rows show it: a regressor's outputs,
    and whether a classifier's float output holds probabilities, one per class adding up
    to 1 (a linear SVM's holds scores)."""
    import numpy as np

    from fastml_scaffold.models.sklearn import cannot_predict

    file = path / spec.artifact_file if path.is_dir() else path
    session = _session(file)
    names = [o.name for o in session.get_outputs()]
    try:
        outputs = dict(zip(names, session.run(None, _feeds(spec)), strict=True))
    except Exception as exc:  # ONNX Runtime raises its own types
        raise ModelFileError(cannot_predict(file, exc, made_up=made_up)) from None
    runtime = dict(spec.runtime)
    if spec.task is Task.REGRESSOR:
        values = np.asarray(outputs[runtime["value_output"]])
        width = values.shape[1] if values.ndim == 2 else 1
        return replace(spec, n_outputs=width)
    probabilities = runtime.get("probability_output")
    if probabilities is None or runtime.get("zipmap"):
        return spec
    values = np.asarray(outputs[probabilities], dtype=np.float64)
    width = values.shape[-1]
    labels = spec.labels or tuple(str(index) for index in range(width))
    is_distribution = values.ndim == 2 and bool(
        np.all((values >= 0) & (values <= 1)) and np.allclose(values.sum(axis=1), 1, atol=1e-3)
    )
    if width != len(labels) or not is_distribution:  # scores: serve the label alone
        runtime.pop("probability_output")
        return replace(spec, runtime=runtime, has_probabilities=False)
    return replace(spec, labels=labels)


def _feeds(spec: ModelSpec) -> dict[str, Any]:
    import numpy as np

    inputs = spec.runtime["inputs"]
    rows = [[row[feature.name] for feature in spec.features] for row in spec.samples]

    def dtype(name: str) -> Any:
        return object if name == "str" else name

    if len(inputs) == 1:
        return {inputs[0]["name"]: np.asarray(rows, dtype=dtype(inputs[0]["dtype"]))}
    return {
        tensor["name"]: np.asarray([[row[i]] for row in rows], dtype=dtype(tensor["dtype"]))
        for i, tensor in enumerate(inputs)
    }


def _session(path: Path) -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise ModelFileError(f"Reading {path.name} needs onnxruntime: {INSTALL_HINT}.") from None
    try:
        return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # ONNX Runtime raises its own types for every kind of bad file
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(
            f"{path.name} is not an ONNX model ONNX Runtime can load ({why})."
        ) from None


def _graph(path: Path) -> Any:
    """The graph, for the classes and categories in its nodes; None without ``onnx``."""
    try:
        import onnx
    except ImportError:
        return None
    return onnx.load(str(path)).graph


def _tensor_features(
    path: Path, tensor: Any, features: Sequence[str] | None
) -> tuple[tuple[Feature, ...], bool, tuple[str, ...]]:
    count = tensor.shape[1]
    if not isinstance(count, int):
        raise ModelFileError(
            f"{path.name}: its input {tensor.name!r} has no fixed number of columns "
            f"(shape {tensor.shape}): fastml needs one to build the API."
        )
    kind = _TYPES[tensor.type][0]
    if features is None:
        note = (
            f"The model takes one tensor of {count} numbers: instances are arrays of "
            f"{count} numbers. Name them with --features to get named fields."
        )
        return tuple(Feature(f"x{i}", kind) for i in range(count)), True, (note,)
    if len(features) != count:
        raise ModelFileError(
            f"{path.name} takes {count} inputs, and --features names {len(features)}: "
            f"give {count} names."
        )
    return tuple(Feature(name, kind) for name in features), False, ()


def _column_features(
    path: Path, inputs: Sequence[Any], features: Sequence[str] | None, graph: Any
) -> tuple[Feature, ...]:
    if features is not None:
        raise ModelFileError(
            f"{path.name} names its inputs ({', '.join(i.name for i in inputs)}): "
            "leave --features out."
        )
    for tensor in inputs:
        if tensor.type not in _TYPES or len(tensor.shape) != 2 or tensor.shape[1] != 1:
            raise ModelFileError(
                f"{path.name}: its input {tensor.name!r} is a {tensor.type} of shape "
                f"{tensor.shape}; fastml serves one 2-D number tensor, or one column per input."
            )
    categories = _categories(graph) if graph is not None else {}
    return tuple(
        Feature(tensor.name, _TYPES[tensor.type][0], *categories.get(tensor.name, ((), False)))
        for tensor in inputs
    )


def _categories(graph: Any) -> dict[str, tuple[tuple[str, ...], bool]]:
    """The inputs that reach a OneHotEncoder node, with its categories and whether it
    refuses others (``zeros=0``)."""
    from onnx import helper

    producers = {output: node for node in graph.node for output in node.output}
    inputs = {tensor.name for tensor in graph.input}
    found = {}
    for node in graph.node:
        if node.op_type != "OneHotEncoder":
            continue
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        source = node.input[0]
        while source not in inputs and source in producers:
            producer = producers[source]
            if producer.op_type not in _PASS_THROUGH:
                break
            source = producer.input[0]
        values = attributes.get("cats_strings") or attributes.get("cats_int64s") or []
        if source in inputs:
            refuses = attributes.get("zeros", 1) == 0
            found[source] = (
                tuple(_text(v) if isinstance(v, bytes) else v for v in values),
                refuses,
            )
    return found


def _outputs(path: Path, session: Any, graph: Any) -> tuple[Task, tuple[str, ...], dict[str, Any]]:
    outputs = session.get_outputs()
    labels = [o for o in outputs if o.type in ("tensor(int64)", "tensor(string)")]
    if labels:
        found: dict[str, Any] = {"label_output": labels[0].name}
        for output in outputs:
            if output.type.startswith("seq(map("):
                found.update(probability_output=output.name, zipmap=True)
            elif output.type in ("tensor(float)", "tensor(double)"):
                found.update(probability_output=output.name, zipmap=False)
        classes = _classes(graph) if graph is not None else ()
        return Task.CLASSIFIER, classes, found
    numbers = [o for o in outputs if o.type in ("tensor(float)", "tensor(double)")]
    if len(numbers) != 1:
        raise ModelFileError(
            f"{path.name}: fastml serves classifiers (a label output) and regressors (one "
            f"number tensor); this model's outputs are {[o.name for o in outputs]}."
        )
    shape = numbers[0].shape
    width = shape[1] if len(shape) == 2 and isinstance(shape[1], int) else 1
    return Task.REGRESSOR, (), {"value_output": numbers[0].name, "n_outputs": width}


def _classes(graph: Any) -> tuple[str, ...]:
    from onnx import helper

    for node in graph.node:
        for attribute in node.attribute:
            if attribute.name in ("classlabels_strings", "classlabels_ints", "classlabels_int64s"):
                return tuple(_text(v) for v in helper.get_attribute_value(attribute))
    return ()


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
