"""POST /predict: classify a batch of flowers."""

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool

{% if cookiecutter.metrics == 'yes' -%}
from app import metrics
{% endif -%}
from app.deps import ModelDep, SettingsDep
from app.schemas import ErrorMessage, Prediction, PredictRequest, PredictResponse

router = APIRouter(prefix="/predict", tags=["predict"])


@router.post(
    "",
    summary="Predict the species of each flower",
    responses={
        422: {"description": "Invalid instances, or too many of them."},
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": ErrorMessage,
            "description": "No model loaded.",
        },
    },
)
async def predict(body: PredictRequest, model: ModelDep, settings: SettingsDep) -> PredictResponse:
    """Returns one prediction per instance, in the order they were sent."""
    if len(body.instances) > settings.max_batch_size:
        raise HTTPException(
            422,  # Unprocessable Content, like every other invalid body
            detail=f"Send at most {settings.max_batch_size} instances per request; "
            f"got {len(body.instances)}.",
        )
    rows = [
        [item.sepal_length, item.sepal_width, item.petal_length, item.petal_width]
        for item in body.instances
    ]
    # predict is CPU-bound: run it in a worker thread so the event loop keeps answering
    # /livez and /readyz meanwhile.  A thread rather than a process, because the model is
    # shared without copying and NumPy releases the GIL in its heavy loops.
    results = await run_in_threadpool(model.predict, rows)
{%- if cookiecutter.metrics == 'yes' %}
    for result in results:
        metrics.PREDICTIONS.labels(result.label).inc()
{%- endif %}
    return PredictResponse(
        predictions=[Prediction(label=r.label, probabilities=r.probabilities) for r in results],
        model_version=model.version,
    )
