"""POST /predict: classify a batch of flowers."""

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic_core import to_json

{% if cookiecutter.metrics == 'yes' -%}
from app import metrics
{% endif -%}
from app.deps import serving
from app.fastpath import RequestRoute, json_body, read_json_body
from app.inference import OverloadedError
from app.schemas import ErrorMessage, PredictRequest, PredictResponse

# RequestRoute: predict() takes the Request alone and is called directly (app/fastpath.py).
router = APIRouter(prefix="/predict", tags=["predict"], route_class=RequestRoute)


@router.post(
    "",
    response_model=PredictResponse,
    summary="Predict the species of each flower",
    openapi_extra=json_body(PredictRequest),
    responses={
        422: {"description": "Invalid instances, or too many of them."},
        413: {"model": ErrorMessage, "description": "The body is larger than MAX_REQUEST_BYTES."},
        415: {"model": ErrorMessage, "description": "The body is not sent as JSON."},
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
async def predict(request: Request) -> Response:
    """Returns one prediction per instance, in the order they were sent."""
    # This route is the server's busiest, so it skips FastAPI's per-request conveniences
    # where they cost most: parameters and the body (app/fastpath.py), dependencies
    # (app/deps.py), the response model (below) and asyncio.wait_for (app/inference.py).
    model, predictor, settings = serving(request)
    body = await read_json_body(request, PredictRequest)
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
        results = await predictor.submit(rows)
    except TimeoutError:
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
    # PredictResponse's shape (the tests check it), serialised by pydantic-core from plain
    # dicts: building the models first would validate every prediction again, and returning
    # them would have FastAPI validate them a third time and encode them twice.
    answer = {
        "predictions": [{"label": r.label, "probabilities": r.probabilities} for r in results],
        "model_version": model.version,
    }
    return Response(to_json(answer), media_type="application/json")
