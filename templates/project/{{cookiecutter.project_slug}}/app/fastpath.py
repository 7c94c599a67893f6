"""What /predict, the busiest route, uses to skip FastAPI's per-request conveniences.

FastAPI's way is the right one for most routes: a body declared as a parameter
(``body: PredictRequest``), dependencies, a response model.  Each costs a little on every
request, and on /predict those costs add up to more than the prediction itself:

* ``read_json_body`` parses and validates the JSON body in one pydantic-core call, where
  FastAPI runs ``json.loads`` and then validates the Python objects it made: about 3 us
  instead of 8 us for one flower, 72 us instead of 180 us for 64.  FastAPI no longer sees
  the body, so the route documents it with ``openapi_extra=json_body(Model)``; invalid
  bodies still answer 422 with pydantic's errors under ``"body"``.
* ``RequestRoute`` calls an endpoint that takes the Request alone directly, without
  FastAPI's parameter solving, which then has nothing to do.

Measured as bench/serving.py does, side by side with FastAPI's way, each added about 0.04x
to 0.05x of a bare endpoint's requests per second to /predict.
"""

import inspect
from collections.abc import Callable, Coroutine
{% if cookiecutter.python_version in ['3.10', '3.11'] -%}
from typing import Any, TypeVar
{%- else -%}
from typing import Any
{%- endif %}

from fastapi import HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect
{%- if cookiecutter.python_version in ['3.10', '3.11'] %}

Model = TypeVar("Model", bound=BaseModel)
{%- endif %}


{% if cookiecutter.python_version in ['3.10', '3.11'] -%}
async def read_json_body(request: Request, model: type[Model]) -> Model:
{%- else -%}
async def read_json_body[Model: BaseModel](request: Request, model: type[Model]) -> Model:
{%- endif %}
    """The request's JSON body as ``model``; 415 if it is not JSON, 422 if it is invalid."""
    content_type = request.headers.get("content-type", "application/json")
    if not _is_json(content_type):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"Send the body as JSON, with Content-Type: application/json "
            f"(got {content_type}).",
        )
    try:
        body = await request.body()
    except ClientDisconnect:
        # Nobody is left to read the answer; FastAPI's own body parsing does the same.
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The client left mid-body.") from None
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        errors = [
            {**detail, "loc": ("body", *detail["loc"])}
            for detail in error.errors(include_url=False)
        ]
        raise RequestValidationError(errors, body=body) from None


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` that documents a JSON body of ``model`` read with read_json_body.

    The schema is written out in full, nested models included: FastAPI adds to the shared
    schema components only the models it finds in route signatures.
    """
    schema = model.model_json_schema(ref_template="{model}")
    nested = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline(schema, nested, ())}},
        }
    }


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class RequestRoute(APIRoute):
    """A route whose endpoint takes the Request alone and returns a Response, called directly.

    Use it as ``APIRouter(route_class=RequestRoute)``.  The OpenAPI schema still comes from
    the route's declaration; HTTPException and RequestValidationError still get FastAPI's
    answers.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        if len(inspect.signature(endpoint).parameters) != 1:
            raise TypeError(
                f"{endpoint.__name__} must take the Request alone to use RequestRoute; "
                "give it a router of its own or drop route_class."
            )
        super().__init__(path, endpoint, **options)

    def get_route_handler(self) -> Handler:
        handler: Handler = self.endpoint
        return handler


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _inline(node: Any, nested: dict[str, Any], path: tuple[str, ...]) -> Any:
    """``node`` with each reference to a nested model replaced by that model's schema."""
    if isinstance(node, list):
        return [_inline(item, nested, path) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"]
        if name in path:
            raise TypeError(f"{name} contains itself: declare it as a route parameter instead.")
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return {**_inline(nested[name], nested, (*path, name)), **siblings}
    return {key: _inline(value, nested, path) for key, value in node.items()}
