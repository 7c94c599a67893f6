"""Answers to requests the app cannot read: a 4xx that says why, never a 500."""

import json
from typing import Any

from fastapi import Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from pydantic_core import PydanticSerializationError, to_json
from starlette.exceptions import HTTPException


async def invalid_request(request: Request, error: RequestValidationError) -> Response:
    """FastAPI's 422, able to echo any input: its own answers 500 to NaN or non-UTF-8 bytes."""
    errors = [{**detail, "input": _printable(detail.get("input"))} for detail in error.errors()]
    try:
        content = to_json({"detail": errors}, inf_nan_mode="strings", fallback=repr)
    except PydanticSerializationError:  # a lone surrogate such as "\ud800": json escapes it
        content = json.dumps({"detail": errors}, default=repr).encode()
    return Response(content, status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json")


async def http_error(request: Request, error: HTTPException) -> Response:
    """FastAPI's answer, but a body that is not UTF-8 gets the 422 of any invalid JSON."""
    if isinstance(error.__cause__, UnicodeDecodeError):
        invalid = {"type": "json_invalid", "loc": ("body",), "msg": "The body is not UTF-8."}
        return await invalid_request(request, RequestValidationError([invalid]))
    return await http_exception_handler(request, error)


def _printable(value: Any) -> Any:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
