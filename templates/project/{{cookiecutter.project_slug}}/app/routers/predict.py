"""POST /predict: classify a batch of flowers."""

import asyncio

from fastapi import APIRouter, HTTPException, Response, status

{% if cookiecutter.metrics == 'yes' -%}
from app import metrics
{% endif -%}
from app.deps import ServingDep
from app.inference import OverloadedError
from app.schemas import ErrorMessage, Prediction, PredictRequest, PredictResponse

router = APIRouter(prefix="/predict", tags=["predict"])


@router.post(
    "",
    response_model=PredictResponse,
    summary="Predict the species of each flower",
    responses={
        422: {"description": "Invalid instances, or too many of them."},
        413: {"model": ErrorMessage, "description": "The body is larger than MAX_REQUEST_BYTES."},
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": ErrorMessage,
            "description": "No model loaded, or the batching queue is full (see Retry-After).",
        },
        status.HTTP_504_GATEWAY_TIMEOUT: {
            "model": ErrorMessage,
            "description": "The prediction took longer than INFERENCE_TIMEOUT_S.",
        },
    },
)
async def predict(body: PredictRequest, serving: ServingDep) -> Response:
    """Returns one prediction per instance, in the order they were sent."""
    model, predictor, settings = serving
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
    # Off the event loop, in a worker thread, alone or in a micro-batch: app/inference.py.
    try:
        results = await asyncio.wait_for(predictor.submit(rows), settings.inference_timeout_s)
{%- if cookiecutter.python_version == '3.10' %}
    except asyncio.TimeoutError:  # not TimeoutError: Python 3.10 tells the two apart
{%- else %}
    except TimeoutError:  # what asyncio.wait_for raises since Python 3.11
{%- endif %}
        raise HTTPException(
            status.HTTP_504_GATEWAY_TIMEOUT,
            detail=f"The prediction took longer than {settings.inference_timeout_s:g} s.",
        ) from None
    except OverloadedError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc), headers={"Retry-After": "1"}
        ) from None
{%- if cookiecutter.metrics == 'yes' %}
    for result in results:
        metrics.PREDICTIONS.labels(result.label).inc()
{%- endif %}
    answer = PredictResponse(
        predictions=[Prediction(label=r.label, probabilities=r.probabilities) for r in results],
        model_version=model.version,
    )
    # Serialised by pydantic-core in one step: returning the model would have FastAPI
    # validate it again and encode it twice (to a dict, then to JSON).
    return Response(answer.model_dump_json(), media_type="application/json")
