"""The API's request and response bodies; pydantic validates them and documents them in /docs."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Example flowers, shown in /docs and used by the tests.
SETOSA: dict[str, Any] = {
    "sepal_length": 5.1,
    "sepal_width": 3.5,
    "petal_length": 1.4,
    "petal_width": 0.2,
}
VIRGINICA: dict[str, Any] = {
    "sepal_length": 6.7,
    "sepal_width": 3.0,
    "petal_length": 5.2,
    "petal_width": 2.3,
}


class IrisFeatures(BaseModel):
    """The four measurements of one flower, in centimetres."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SETOSA]})

    sepal_length: float = Field(gt=0, le=100, description="Sepal length (cm).")
    sepal_width: float = Field(gt=0, le=100, description="Sepal width (cm).")
    petal_length: float = Field(gt=0, le=100, description="Petal length (cm).")
    petal_width: float = Field(gt=0, le=100, description="Petal width (cm).")


class PredictRequest(BaseModel):
    """A batch of instances, as in the KServe / TensorFlow Serving v1 protocol."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"instances": [SETOSA, VIRGINICA]}]}
    )

    instances: list[IrisFeatures] = Field(
        min_length=1, description="Flowers to classify; at most MAX_BATCH_SIZE of them."
    )


class Prediction(BaseModel):
    label: str = Field(description="The most likely species.", examples=["setosa"])
    probabilities: dict[str, float] = Field(
        description="Probability of each species; they add up to 1.",
        examples=[{"setosa": 0.98, "versicolor": 0.02, "virginica": 0.0}],
    )


class PredictResponse(BaseModel):
    predictions: list[Prediction] = Field(description="One prediction per instance, in order.")
    model_version: str = Field(description="Version of the model that answered.")

    model_config = ConfigDict(protected_namespaces=())


class Liveness(BaseModel):
    status: Literal["alive"] = "alive"


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    model_version: str | None = None
    detail: str | None = Field(default=None, description="Why the service is not ready.")

    model_config = ConfigDict(protected_namespaces=())


class ErrorMessage(BaseModel):
    detail: str
