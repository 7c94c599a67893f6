"""Limits that keep the server responsive: request body size, and requests at once.

Both are pure ASGI middleware, cheaper per request than Starlette's BaseHTTPMiddleware.
"""

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Answered however busy the server is: they never wait behind the work.
HEALTH_PATHS = frozenset({"/livez", "/readyz", "/metrics"})


class ConcurrencyLimitMiddleware:
    """At most ``max_concurrency`` requests are processed at once; the others wait their turn.

    Waiting costs the event loop nothing, while a request being processed costs it work at
    every step; so under a flood of /predict calls, the loop serves a few at a time and
    health checks, which skip the queue, still answer within milliseconds.  The lifespan
    puts the semaphore on the app's state.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        admission: asyncio.Semaphore | None = getattr(scope["app"].state, "admission", None)
        if scope["type"] != "http" or admission is None or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        async with admission:
            await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """Refuse request bodies larger than ``max_request_bytes`` with 413.

    A declared Content-Length over the limit is refused at once, before the body is read; a
    body sent in chunks without one is counted as it arrives and refused when it passes.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The lifespan puts the settings on the app's state (tests may replace them).
        max_bytes: int = scope["app"].state.settings.max_request_bytes
        declared = _content_length(scope)
        if declared is not None:
            # The server reads exactly Content-Length bytes, so the header is the body's
            # size: no need to count (or slow down) the body as it arrives.
            if declared > max_bytes:
                await _refuse(send, max_bytes)
            else:
                await self.app(scope, receive, send)
            return

        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes and not started:
                    # Answer 413 now and tell the app the client left: it stops reading,
                    # and whatever it answers instead is dropped below.
                    refused = True
                    await _refuse(send, max_bytes)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:  # the app's own error, not the disconnect we made up
                raise


async def _refuse(send: Send, max_bytes: int) -> None:
    body = json.dumps({"detail": f"The request body is larger than {max_bytes} bytes."}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
