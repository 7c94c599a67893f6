"""Dependencies shared by the routers, as ``Annotated`` aliases.

Each is ``async def`` although none awaits: FastAPI runs a plain ``def`` dependency in a
worker thread, a hop that costs more than the dependency itself on every request.
"""

from typing import Annotated, NamedTuple

from fastapi import Depends, HTTPException, Request, status
from starlette.datastructures import State

from app.config import Settings, get_settings
from app.inference import Predictor
from app.model import IrisModel


async def get_model(request: Request) -> IrisModel:
    """The model loaded at start-up; 503 while there is none."""
    return _loaded_model(request.app.state)


ModelDep = Annotated[IrisModel, Depends(get_model)]


class Serving(NamedTuple):
    """What /predict needs: the model, how to reach it (see app/inference.py), the settings."""

    model: IrisModel
    predictor: Predictor
    settings: Settings


def serving(request: Request) -> Serving:
    """What /predict needs; 503 while there is no model.

    A function that /predict calls, not a dependency: FastAPI's dependency solving costs
    more than the lookup itself, on every request of the busiest route.
    """
    state = request.app.state
    return Serving(_loaded_model(state), state.predictor, state.settings)


def _loaded_model(state: State) -> IrisModel:
    model: IrisModel | None = getattr(state, "model", None)
    if model is None:
        reason = getattr(state, "model_error", None) or "The model is not loaded yet."
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=reason)
    return model


async def current_settings(request: Request) -> Settings:
    """The settings the app started with (tests choose them by overriding get_settings)."""
    settings: Settings | None = getattr(request.app.state, "settings", None)
    return settings if settings is not None else get_settings()


SettingsDep = Annotated[Settings, Depends(current_settings)]
