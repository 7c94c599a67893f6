"""Dependencies shared by the routers, as ``Annotated`` aliases.

Each is ``async def`` although none awaits: FastAPI runs a plain ``def`` dependency in a
worker thread, a hop that costs more than the dependency itself on every request.
"""

from typing import Annotated, NamedTuple

from fastapi import Depends, HTTPException, Request, status

from app.config import Settings, get_settings
from app.inference import Predictor
from app.model import IrisModel


async def get_model(request: Request) -> IrisModel:
    """The model loaded at start-up; 503 while there is none."""
    model: IrisModel | None = getattr(request.app.state, "model", None)
    if model is None:
        reason = getattr(request.app.state, "model_error", None) or "The model is not loaded yet."
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=reason)
    return model


ModelDep = Annotated[IrisModel, Depends(get_model)]


class Serving(NamedTuple):
    """What /predict needs, fetched by one dependency: each one costs time per request."""

    model: IrisModel
    predictor: Predictor
    settings: Settings


async def get_serving(request: Request) -> Serving:
    """The model, how to reach it (see app/inference.py) and the settings; 503 without a model."""
    model = await get_model(request)
    state = request.app.state
    return Serving(model, state.predictor, state.settings)


ServingDep = Annotated[Serving, Depends(get_serving)]


async def current_settings(request: Request) -> Settings:
    """The settings the app started with (tests choose them by overriding get_settings)."""
    settings: Settings | None = getattr(request.app.state, "settings", None)
    return settings if settings is not None else get_settings()


SettingsDep = Annotated[Settings, Depends(current_settings)]
