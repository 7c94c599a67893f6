"""GET /: the documentation when it is on; otherwise what the service offers."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.deps import SettingsDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_model=None)
async def index(request: Request, settings: SettingsDep) -> RedirectResponse | dict[str, Any]:
    if settings.docs_enabled:
        return RedirectResponse(f"{request.scope.get('root_path', '').rstrip('/')}/docs")
    paths = request.app.openapi()["paths"]  # the schema is built even when not served
    return {
        "name": request.app.title,
        "version": request.app.version,
        "routes": sorted(f"{method.upper()} {path}" for path in paths for method in paths[path]),
    }
