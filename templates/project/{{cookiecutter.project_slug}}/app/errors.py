"""Answers to requests the app cannot read: a 4xx that says why, never a 500."""

from typing import Any

from fastapi import FastAPI, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from pydantic_core import to_json
from starlette.exceptions import HTTPException


async def invalid_request(request: Request, error: RequestValidationError) -> Response:
    """FastAPI's 422, written so that whatever the client sent can be echoed back.

    FastAPI's own handler fails with a 500 on a NaN or Infinity in the body, or on bytes that
    are not UTF-8; here they come back as strings.
    """
    errors = [{**detail, "input": _printable(detail.get("input"))} for detail in error.errors()]
    return Response(
        to_json({"detail": errors}, inf_nan_mode="strings", fallback=repr),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        media_type="application/json",
    )


async def unreadable_body(request: Request, error: HTTPException) -> Response:
    """FastAPI's answer to an HTTPException, with a clearer reason for a body that is not UTF-8."""
    if isinstance(error.__cause__, UnicodeDecodeError):
        error = HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail="The body is not valid UTF-8: send JSON encoded in UTF-8.",
        )
    return await http_exception_handler(request, error)


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, unreadable_body)  # type: ignore[arg-type]


def _printable(value: Any) -> Any:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
