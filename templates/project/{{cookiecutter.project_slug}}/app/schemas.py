"""The API's request and response bodies; pydantic validates them and documents them in /docs."""

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_INSTANCES = 256  # per request: a larger batch is refused with 422
# Example flowers, shown in /docs and used by the tests.
SETOSA: dict[str, Any] = dict(sepal_length=5.1, sepal_width=3.5, petal_length=1.4, petal_width=0.2)
VIRGINICA: dict[str, Any] = dict(sepal_length=6.7, sepal_width=3, petal_length=5.2, petal_width=2.3)


class IrisFeatures(BaseModel):
    """One flower's measurements (cm).  For your model, change these fields: their order is
    the order of the model's columns (``FEATURES``), which app.train saves with the model."""

    # strict: numbers must be JSON numbers (not "5.1", not true); NaN and Infinity are refused.
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    sepal_length: float = Field(gt=0, le=100, description="Sepal length (cm).")
    sepal_width: float = Field(gt=0, le=100, description="Sepal width (cm).")
    petal_length: float = Field(gt=0, le=100, description="Petal length (cm).")
    petal_width: float = Field(gt=0, le=100, description="Petal width (cm).")

    def row(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


FEATURES = tuple(IrisFeatures.model_fields)


class PredictRequest(BaseModel):
    """A batch of instances, as in the KServe / TensorFlow Serving v1 protocol."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"instances": [SETOSA, VIRGINICA]}]}
    )

    instances: list[IrisFeatures] = Field(min_length=1, max_length=MAX_INSTANCES)


class Prediction(BaseModel):
    label: str = Field(description="The most likely species.", examples=["setosa"])
    probabilities: dict[str, float] = Field(
        description="Probability of each species; they add up to 1.",
        examples=[{"setosa": 0.98, "versicolor": 0.02, "virginica": 0.0}],
    )

    @classmethod
    def from_probabilities(cls, labels: Sequence[str], row: Sequence[float]) -> "Prediction":
        best = max(range(len(row)), key=row.__getitem__)
        return cls(label=labels[best], probabilities=dict(zip(labels, row, strict=True)))


class PredictResponse(BaseModel):
    predictions: list[Prediction] = Field(description="One prediction per instance, in order.")
    model_version: str = Field(description="Version of the model that answered.")


class Liveness(BaseModel):
    status: Literal["alive"] = "alive"


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    model_version: str | None = None
    detail: str | None = Field(default=None, description="Why the service is not ready.")


class ErrorMessage(BaseModel):
    detail: str
