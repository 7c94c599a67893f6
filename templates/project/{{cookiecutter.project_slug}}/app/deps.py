"""Dependencies shared by the routers, as ``Annotated`` aliases."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from app.config import Settings, get_settings
from app.model import IrisModel


def get_model(request: Request) -> IrisModel:
    """The model loaded at start-up; 503 while there is none."""
    model: IrisModel | None = getattr(request.app.state, "model", None)
    if model is None:
        reason = getattr(request.app.state, "model_error", None) or "The model is not loaded yet."
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=reason)
    return model


ModelDep = Annotated[IrisModel, Depends(get_model)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
