"""Health checks: is the process alive, and is it ready to serve predictions?"""

from fastapi import APIRouter, Request, Response, status

from app.schemas import Liveness, Readiness

router = APIRouter(tags=["health"])


@router.get("/livez", summary="Liveness: the process is up")
async def livez() -> Liveness:
    """Answers 200 as long as the server runs; restart the process when it does not."""
    return Liveness()


@router.get(
    "/readyz",
    summary="Readiness: the model is loaded",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": Readiness}},
)
async def readyz(request: Request, response: Response) -> Readiness:
    """200 once the model is loaded; 503 and the reason before.  Send traffic only on 200."""
    model = getattr(request.state, "model", None)
    if model is None:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        detail = getattr(request.state, "model_error", None) or "The model is not loaded yet."
        return Readiness(status="not ready", detail=detail)
    return Readiness(status="ready", model_version=model.version)
