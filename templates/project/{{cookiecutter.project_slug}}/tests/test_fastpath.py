"""app/fastpath.py: the JSON body in one pass, and routes called without parameter solving."""

import asyncio

import pytest
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.types import Message

from app.fastpath import RequestRoute, json_body, read_json_body


class Point(BaseModel):
    x: float
    y: float


class Path(BaseModel):
    points: list[Point]


def _app() -> FastAPI:
    router = APIRouter(route_class=RequestRoute)

    @router.post("/length", openapi_extra=json_body(Path))
    async def length(request: Request) -> Response:
        path = await read_json_body(request, Path)
        return Response(str(len(path.points)), media_type="text/plain")

    app = FastAPI()
    app.include_router(router)
    return app


def test_a_request_route_reads_its_body_and_answers() -> None:
    with TestClient(_app()) as client:
        response = client.post("/length", json={"points": [{"x": 0, "y": 0}, {"x": 1, "y": 2}]})

    assert response.status_code == 200
    assert response.text == "2"


def test_an_invalid_body_gets_fastapis_422_shape() -> None:
    with TestClient(_app()) as client:
        response = client.post("/length", json={"points": [{"x": 0}]})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "points", 0, "y"]
    assert error["type"] == "missing"


def test_the_documented_body_has_its_nested_models_written_out() -> None:
    with TestClient(_app()) as client:
        schema = client.get("/openapi.json").json()

    body = schema["paths"]["/length"]["post"]["requestBody"]["content"]["application/json"]
    point = body["schema"]["properties"]["points"]["items"]
    assert point["title"] == "Point"
    assert set(point["properties"]) == {"x", "y"}


def test_a_request_route_refuses_an_endpoint_with_parameters() -> None:
    router = APIRouter(route_class=RequestRoute)

    async def area(request: Request, scale: float) -> Response:
        return Response()

    with pytest.raises(TypeError, match="must take the Request alone"):
        router.add_api_route("/area", area, methods=["POST"])


def test_a_model_that_contains_itself_cannot_be_written_out() -> None:
    class Tree(BaseModel):
        children: list["Tree"]

    with pytest.raises(TypeError, match="contains itself"):
        json_body(Tree)


def test_a_client_that_leaves_mid_body_gets_400_not_a_traceback() -> None:
    async def receive() -> Message:
        return {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/length",
        "headers": [(b"content-type", b"application/json")],
    }

    with pytest.raises(HTTPException) as raised:
        asyncio.run(read_json_body(Request(scope, receive), Path))

    assert raised.value.status_code == 400
