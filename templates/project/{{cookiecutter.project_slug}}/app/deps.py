"""Dependencies shared by the routers, as ``Annotated`` aliases: ``model: ModelDep``."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from app.config import Settings
from app.model import Model
from app.serving import ModelRunner


async def get_settings(request: Request) -> Settings:
    """The settings the app was made with (``create_app(settings)``)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_model(request: Request) -> Model:
    """The model the lifespan loaded; 503, saying why, while there is none."""
    model: Model | None = getattr(request.state, "model", None)
    if model is None:
        raise _not_ready(request)
    return model


async def get_runner(request: Request) -> ModelRunner:
    """What runs the model's predictions off the event loop (app/serving.py)."""
    runner: ModelRunner | None = getattr(request.state, "runner", None)
    if runner is None:
        raise _not_ready(request)
    return runner


def _not_ready(request: Request) -> HTTPException:
    detail = getattr(request.state, "model_error", None) or "The model is not loaded yet."
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=detail)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelDep = Annotated[Model, Depends(get_model)]
RunnerDep = Annotated[ModelRunner, Depends(get_runner)]
