"""The FastAPI application: its lifespan (load the model once) and its routers."""

import asyncio
import logging
{%- if cookiecutter.metrics == 'yes' %}
import time
{%- endif %}
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, closing

from fastapi import FastAPI

from app import SUMMARY, __version__{% if cookiecutter.metrics == 'yes' %}, metrics{% endif %}
from app.config import Settings, get_settings
from app.inference import Deadlines, InferenceThreads, MicroBatcher, Predictor, ThreadPredictor
from app.limits import BodySizeLimitMiddleware, ConcurrencyLimitMiddleware
{%- if cookiecutter.json_logging == 'yes' %}
from app.log import RequestIdMiddleware
{%- endif %}
from app.model import IrisModel, ModelNotFoundError
from app.routers import health, predict

logger = logging.getLogger("uvicorn.error")

DESCRIPTION = (
    SUMMARY
    + """

* **POST /predict**: classify a batch of flowers.
* **GET /livez**, **GET /readyz**: health checks for load balancers and Kubernetes.
"""
)

TAGS = [
    {"name": "predict", "description": "Predictions from the ML model."},
    {"name": "health", "description": "Liveness and readiness probes."},
]


def _settings(app: FastAPI) -> Settings:
    # The lifespan is not a path operation, so resolve the override by hand: tests that
    # replace get_settings then configure start-up too.
    provider = app.dependency_overrides.get(get_settings, get_settings)
    settings: Settings = provider()
    return settings


def _load_model(app: FastAPI, settings: Settings) -> None:
    app.state.model = None
    app.state.model_error = None
{%- if cookiecutter.metrics == 'yes' %}
    started = time.perf_counter()
{%- endif %}
    try:
        app.state.model = IrisModel.load(settings.model_path{% if cookiecutter.model_framework == 'pytorch' %}, settings.device{% endif %})
{%- if cookiecutter.metrics == 'yes' %}
        metrics.MODEL_LOAD_SECONDS.set(time.perf_counter() - started)
{%- endif %}
        logger.info("Loaded model %s from %s", app.state.model.version, settings.model_path)
    except ModelNotFoundError as exc:
        # Serve anyway: /livez answers and /readyz says why the service is not ready.
        variable = f"{Settings.model_config.get('env_prefix', '')}MODEL_PATH"
        app.state.model_error = f"{exc} Or point {variable} at a model file."
        logger.warning("%s", exc)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model once per process, before the first request; drop it at shutdown.

    Background services (such as UDP listeners) enter ``services`` and are stopped, in
    reverse order, when the server shuts down.
    """
    settings = _settings(app)
    app.state.settings = settings
    app.state.admission = asyncio.Semaphore(settings.admitted_at_once)
    _load_model(app, settings)
    async with AsyncExitStack() as services:
        services.callback(_unload_model, app)  # runs last, once every service has stopped
        app.state.predictor = await services.enter_async_context(
            _predictor(app.state.model, settings)
        )
        # The service registry: one `await services.enter_async_context(...)` line each.
        yield


@asynccontextmanager
async def _predictor(
    model: IrisModel | None, settings: Settings
) -> AsyncIterator[Predictor | None]:
    """Straight to a worker thread, or through the micro-batcher while it runs."""
    if model is None:
        yield None
        return
    deadlines = Deadlines(settings.inference_timeout_s)
    with InferenceThreads(settings.inference_threads) as threads, closing(deadlines):
        if not settings.batching.enabled:
            yield ThreadPredictor(model, threads, deadlines)
            return
        batching = settings.batching
        batcher = MicroBatcher(
            model,
            max_batch_size=batching.max_batch_size,
            max_wait_ms=batching.max_wait_ms,
            max_queue=batching.max_queue,
            threads=threads,
            deadlines=deadlines,
        )
        async with batcher.running():
            yield batcher


def _unload_model(app: FastAPI) -> None:
    app.state.model = None
    app.state.predictor = None


def create_app() -> FastAPI:
    app = FastAPI(
        title="{{ cookiecutter.project_name }}",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(ConcurrencyLimitMiddleware)
{%- if cookiecutter.metrics == 'yes' %}
    app.add_middleware(metrics.MetricsMiddleware)
{%- endif %}
{%- if cookiecutter.json_logging == 'yes' %}
    app.add_middleware(RequestIdMiddleware)  # added last, so it runs first
{%- endif %}
    # The router registry: one line per router, in the order their paths are matched.
    app.include_router(health.router)
    app.include_router(predict.router)
{%- if cookiecutter.metrics == 'yes' %}
    app.include_router(metrics.router)
{%- endif %}
    return app


app = create_app()
