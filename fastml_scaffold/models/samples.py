"""The real input rows a generated project shows in /docs and sends in its tests.

They come from the MLflow input example, from ``--sample FILE`` (CSV, or JSON rows), or
are made from the schema when neither exists.  Every row is checked against the features
here, so the generated code never holds a value its own schema refuses.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastml_scaffold.models.spec import Feature, ModelFileError

MAX_SAMPLES = 5  # enough to show and test a batch; each is written into the project
MAX_SAMPLE_BYTES = 10 * 1024 * 1024
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def read_samples(
    path: Path, features: Sequence[Feature], *, positional: bool = False
) -> tuple[dict[str, Any], ...]:
    """The first rows of a CSV file, checked against ``features`` (see ``read_rows``)."""
    return check_samples(
        read_rows(path, features, positional=positional), features, source=path.name
    )


def read_rows(
    path: Path, features: Sequence[Feature], *, positional: bool = False
) -> list[dict[str, Any]]:
    """The first rows of a CSV file (a header row of column names) or a JSON file (a list
    of objects, or pandas' "split" form), as read; columns that are not features are
    ignored later.  ``positional``: the model's inputs have no names, so a row's values
    are taken in order (JSON rows may then be arrays)."""
    try:
        if path.stat().st_size > MAX_SAMPLE_BYTES:
            raise ModelFileError(f"{path} is larger than {MAX_SAMPLE_BYTES} bytes.")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ModelFileError(f"Sample file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"Cannot read the sample file {path}: {exc}.") from None
    if path.suffix.lower() == ".json":
        rows = _json_rows(path, text)
    elif path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        raise ModelFileError(f"{path.name}: a sample file is .csv or .json.")
    if not rows:
        raise ModelFileError(f"{path.name} holds no rows.")
    if positional:
        return [_by_position(path, row, features) for row in rows[:MAX_SAMPLES]]
    return rows[:MAX_SAMPLES]


def infer_types(
    features: Sequence[Feature], rows: Sequence[Mapping[str, Any]]
) -> tuple[Feature, ...]:
    """``features``, with a column that nothing typed (a float by default) made a str
    column when its sample values are text that is no number: an encoder fastml does not
    read (a TargetEncoder, say) took strings."""
    return tuple(
        replace(feature, type=str)
        if feature.type is float
        and not feature.categories
        and any(_is_text(row.get(feature.name)) for row in rows if isinstance(row, Mapping))
        else feature
        for feature in features
    )


def _is_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return value.strip() != ""
    return False


def _by_position(path: Path, row: Any, features: Sequence[Feature]) -> dict[str, Any]:
    values = list(row.values()) if isinstance(row, dict) else row
    if not isinstance(values, list) or len(values) != len(features):
        raise ModelFileError(
            f"{path.name}: each row needs the model's {len(features)} inputs, in order."
        )
    return {feature.name: value for feature, value in zip(features, values, strict=True)}


def _json_rows(path: Path, text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ModelFileError(f"{path.name} is not JSON ({exc}).") from None
    if isinstance(data, dict) and {"columns", "data"} <= set(data):
        data = [dict(zip(data["columns"], row, strict=False)) for row in data["data"]]
    if not isinstance(data, list) or not all(isinstance(row, (dict, list)) for row in data):
        raise ModelFileError(
            f'{path.name}: give a list of rows ([{{"column": value, ...}}, ...]) or '
            'pandas\' split form ({"columns": [...], "data": [[...], ...]}).'
        )
    return data


def check_samples(
    rows: Iterable[Mapping[str, Any]], features: Sequence[Feature], *, source: str
) -> tuple[dict[str, Any], ...]:
    """The rows with a value of each feature's type, in the features' order."""
    checked = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise ModelFileError(f"{source}: row {number} is not an object of column: value.")
        missing = [f.name for f in features if f.name not in row]
        if missing:
            raise ModelFileError(
                f"{source}: row {number} has no {', '.join(map(repr, missing))}: "
                "each row needs every input of the model."
            )
        checked.append({f.name: _value(f, row[f.name], source, number) for f in features})
    return tuple(checked)


def _value(feature: Feature, value: Any, source: str, number: int) -> Any:
    try:
        converted = _convert(feature.type, value)
    except (TypeError, ValueError):
        raise ModelFileError(
            f"{source}: row {number}'s {feature.name!r} is {value!r}, "
            f"not a {feature.type.__name__}."
        ) from None
    if feature.closed and converted not in feature.categories:
        raise ModelFileError(
            f"{source}: row {number}'s {feature.name!r} is {converted!r}, which the model "
            f"does not know: it knows {', '.join(map(repr, feature.categories))}."
        )
    return converted


def _convert(kind: type, value: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError(value)
    if kind is str:
        if isinstance(value, (dict, list)) or value is None:
            raise TypeError(value)
        return str(value)
    if isinstance(value, bool) or value is None or value == "":
        raise TypeError(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    if kind is int:
        if not number.is_integer():
            raise ValueError(value)
        return int(number)
    return number


def synthesize(features: Sequence[Feature]) -> tuple[dict[str, Any], ...]:
    """One row made from the schema, for a model that came without example rows: numbers
    are 0, categories their first known value.  The README asks for real rows instead."""
    values = {float: 0.0, int: 0, bool: False, str: "example"}
    return (
        {f.name: f.categories[0] if f.categories else values.get(f.type, 0.0) for f in features},
    )
