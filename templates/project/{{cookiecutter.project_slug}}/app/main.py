"""The FastAPI application: ``create_app(settings)`` builds it; its lifespan loads the model."""

import gc
import logging
{%- if cookiecutter.metrics == 'yes' %}
import time
{%- endif %}
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException

from app import SUMMARY, __version__, docs{% if cookiecutter.metrics == 'yes' %}, metrics{% endif %}
{%- if cookiecutter.auth == 'api_key' %}
from app.auth import {% if cookiecutter.metrics == 'yes' %}ApiKey, {% endif %}load_keys
{%- endif %}
from app.config import Settings
from app.errors import http_error, invalid_request
{%- if cookiecutter.json_logging == 'yes' %}
from app.log import RequestIdMiddleware
{%- endif %}
from app.model import Model, ModelError
from app.routers import health, index, predict
from app.serving import AdmissionMiddleware, ModelRunner

logger = logging.getLogger("uvicorn.error")


def load_model(settings: Settings) -> tuple[Model | None, str | None]:
    """The model, or None and why (for clients, so no paths: the log has them)."""
{%- if cookiecutter.metrics == 'yes' %}
    started = time.perf_counter()
{%- endif %}
    try:
        model = Model.load(settings.model_path{% if cookiecutter.model_framework == 'pytorch' %}, settings.device{% endif %})
    except ModelError as error:
        logger.warning("Not serving %s: %s", settings.model_path, error)
        return None, f"{error} Or set {Settings.model_config.get('env_prefix')}MODEL_PATH."
    except Exception:
        logger.exception("Cannot load the model from %s", settings.model_path)
        return None, "The model file could not be loaded; the server's log says why."
{%- if cookiecutter.metrics == 'yes' %}
    metrics.MODEL_LOAD_SECONDS.set(time.perf_counter() - started)
{%- endif %}
    logger.info("Loaded model %s from %s", model.version, settings.model_path)
    return model, None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, configured by ``settings`` (by default, read from the environment)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        """Load the model, start the services; yield each request's ``request.state``."""
{%- if cookiecutter.auth == 'api_key' %}
        api_keys = load_keys(settings)  # none: NoKeysError, and the service does not start
{%- endif %}
        model, model_error = load_model(settings)
        gc.freeze()  # the libraries and the model live as long as the process: never rescan them
        async with AsyncExitStack() as services:
            runner = None
            if model is not None:
                runner = await services.enter_async_context(ModelRunner(model.predict, settings))
            # The service registry: one `await services.enter_async_context(...)` line each.
            yield {
                "model": model,
                "model_error": model_error,
                "runner": runner,
{%- if cookiecutter.auth == 'api_key' %}
                "api_keys": api_keys,
{%- endif %}
            }
        gc.unfreeze()  # let a stopped app be collected (tests start many)

    app = FastAPI(
        title="{{ cookiecutter.project_name }}",
        version=__version__,
        description=SUMMARY,
        lifespan=lifespan,
        max_body_size=settings.max_request_bytes,  # larger bodies get 413
        # /docs and /redoc come from app/docs.py, which needs no CDN; all three go with
        # DOCS_ENABLED=false.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        exception_handlers={RequestValidationError: invalid_request, HTTPException: http_error},
    )
    app.state.settings = settings
    if settings.docs_enabled:
        app.mount(docs.STATIC_PATH, docs.static_files(), name="docs-static")
        app.include_router(docs.router)
    app.add_middleware(  # health checks and /metrics skip the queue of busy requests
        AdmissionMiddleware,
        limit=settings.admitted_at_once,
        body_timeout_s=settings.body_timeout_s,
        exempt={"/livez", "/readyz", "/metrics"},
    )
{%- if cookiecutter.metrics == 'yes' %}
    app.add_middleware(metrics.MetricsMiddleware)
{%- endif %}
{%- if cookiecutter.json_logging == 'yes' %}
    app.add_middleware(RequestIdMiddleware)
{%- endif %}
    if settings.cors_origins:  # added last, so it runs first: preflights never wait
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    # The router registry: one line per router, in the order their paths are matched.
    app.include_router(index.router)
    app.include_router(health.router)  # open to all: probes send no key
    app.include_router(predict.router)
{%- if cookiecutter.metrics == 'yes' %}
{%- if cookiecutter.auth == 'api_key' %}
    app.include_router(metrics.router, dependencies=[ApiKey] if settings.metrics_need_key else [])
{%- else %}
    app.include_router(metrics.router)
{%- endif %}
{%- endif %}
    return app


app = create_app()
