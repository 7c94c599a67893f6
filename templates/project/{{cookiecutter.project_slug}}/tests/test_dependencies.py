{%- set m = cookiecutter._model -%}
"""Dependencies added the FastAPI way guard /predict: no route class of the app skips them."""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, status
from fastapi.testclient import TestClient

from app.routers import predict
from app.schemas import {{ 'SAMPLES' if m else 'SETOSA' }}

BODY = {"instances": [{{ 'SAMPLES[0]' if m else 'SETOSA' }}]}


async def require_token(x_token: Annotated[str | None, Header()] = None) -> None:
    """The kind of check a project adds: refuse requests without the right token."""
    if x_token != "secret":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Send X-Token.")


def test_a_router_dependency_guards_predict(app: FastAPI, client: TestClient) -> None:
    app.include_router(predict.router, prefix="/guarded", dependencies=[Depends(require_token)])

    refused = client.post("/guarded/predict", json=BODY)
    allowed = client.post("/guarded/predict", json=BODY, headers={"X-Token": "secret"})
    unguarded = client.post("/predict", json=BODY)

    assert refused.status_code == 401
    assert refused.json() == {"detail": "Send X-Token."}
    assert allowed.status_code == 200
{%- if m %}
    assert allowed.json() == unguarded.json()
{%- else %}
    assert allowed.json()["predictions"][0]["label"] == "setosa"
{%- endif %}
    assert unguarded.status_code == 200


def test_an_app_dependency_guards_predict(app: FastAPI) -> None:
    # FastAPI(dependencies=...) applies to every route included afterwards: here, the app's.
    # (Appending to app.router.dependencies later would not: FastAPI copies a router's
    # dependencies into each route as the route is included.)
    guarded = FastAPI(dependencies=[Depends(require_token)])
    guarded.include_router(app.router)

    with TestClient(guarded) as client:
        response = client.post("/predict", json=BODY)

    assert response.status_code == 401
