"""Refuse request bodies larger than the setting ``max_request_bytes`` with 413.

Pure ASGI middleware: a declared Content-Length over the limit is refused at once, before
the body is read; a body sent in chunks without one is counted as it arrives and refused
when it passes the limit.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
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
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await _refuse(send, max_bytes)


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
