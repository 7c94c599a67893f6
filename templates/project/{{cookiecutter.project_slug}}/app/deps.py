"""Dependencies shared by the routers, as ``Annotated`` aliases: ``model: ModelDep``."""

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from app.config import Settings
from app.model import Model
from app.serving import ModelRunner


async def get_settings(request: Request) -> Settings:
    """The settings the app was made with: ``create_app(settings)``."""
    settings: Settings = request.app.state.settings
    return settings


async def get_model(request: Request) -> Model:
    """The model the lifespan loaded; 503, saying why, while there is none."""
    model: Model = _loaded(request, "model")
    return model


async def get_runner(request: Request) -> ModelRunner:
    """What runs predictions off the event loop (app/serving.py); 503 without a model."""
    runner: ModelRunner = _loaded(request, "runner")
    return runner


def _loaded(request: Request, name: str) -> Any:
    value = getattr(request.state, name, None)  # from the lifespan in app/main.py
    if value is None:
        detail = getattr(request.state, "model_error", None) or "The model is not loaded yet."
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=detail)
    return value


SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelDep = Annotated[Model, Depends(get_model)]
RunnerDep = Annotated[ModelRunner, Depends(get_runner)]
