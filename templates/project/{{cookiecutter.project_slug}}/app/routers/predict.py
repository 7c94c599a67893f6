{%- set m = cookiecutter._model -%}
{%- if m -%}
"""POST /predict: the model's predictions for a batch of instances."""
{%- else -%}
"""POST /predict: classify a batch of flowers."""
{%- endif %}

from typing import Any

from fastapi import APIRouter, HTTPException, status
{% if cookiecutter.metrics == 'yes' %}
from app import metrics
{%- endif %}
{%- if cookiecutter.auth == 'api_key' %}
from app.auth import UNAUTHORIZED, ApiKey
{%- endif %}
from app.deps import ModelDep, RunnerDep
from app.schemas import ErrorMessage, {% if not m %}Prediction, {% endif %}PredictRequest, PredictResponse
from app.serving import OverloadedError

{% if cookiecutter.auth == 'api_key' -%}
# ApiKey: a request without a valid key gets 401 (app/auth.py).
router = APIRouter(
    prefix="/predict", tags=["predict"], dependencies=[ApiKey], responses=UNAUTHORIZED
)
{%- else -%}
router = APIRouter(prefix="/predict", tags=["predict"])
{%- endif %}

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "The body is larger than MAX_REQUEST_BYTES."},
    503: {"model": ErrorMessage, "description": "No model, or too busy: see Retry-After."},
    504: {"model": ErrorMessage, "description": "Took longer than INFERENCE_TIMEOUT_S."},
}


@router.post("", summary="{{ 'Predict each instance' if m else 'Predict the species of each flower' }}", responses=ERRORS)
async def predict(body: PredictRequest, model: ModelDep, runner: RunnerDep) -> PredictResponse:
    """Returns one prediction per instance, in the order they were sent."""
    try:  # in a worker thread, alone or in a micro-batch (app/serving.py)
{%- if m.get('arrays') %}
        predictions = await runner.predict(body.instances)
{%- else %}
        {{ 'predictions' if m else 'probabilities' }} = await runner.predict([instance.row() for instance in body.instances])
{%- endif %}
    except TimeoutError:
        raise HTTPException(
            status.HTTP_504_GATEWAY_TIMEOUT,
            detail=f"The prediction took longer than {runner.timeout_s:g} s.",
        ) from None
    except OverloadedError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"{error} Retry shortly.",
            headers={"Retry-After": "1"},
        ) from None
{%- if not m %}
    predictions = [Prediction.from_probabilities(model.labels, row) for row in probabilities]
{%- endif %}
{%- if cookiecutter.metrics == 'yes' and m.get('task') != 'regressor' %}
    for prediction in predictions:
        metrics.PREDICTIONS.labels(prediction.label).inc()
{%- endif %}
    return PredictResponse(predictions={{ 'list(predictions)' if m else 'predictions' }}, model_version=model.version)
