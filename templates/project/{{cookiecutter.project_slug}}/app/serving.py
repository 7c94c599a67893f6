"""How requests reach the model without stalling the server; the knobs are in app/config.py.

``ModelRunner`` runs any ``predict(rows)`` (one result per row) in worker threads, batching
waiting requests if asked; ``AdmissionMiddleware`` limits the requests served at once."""

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, Self

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

Rows = Sequence[Sequence[float]]


class OverloadedError(Exception):
    """Too many requests are waiting for the model: answer 503 and ask to retry."""


class _Waiting(NamedTuple):
    rows: Rows
    future: "asyncio.Future[Sequence[Any]]"


class ModelRunner:
    """Runs ``predict`` off the event loop, as ``settings`` say; enter it with ``async with``."""

    def __init__(self, predict: Callable[[Rows], Sequence[Any]], settings: Settings) -> None:
        self.predict_batch = predict
        self.threads = settings.inference_threads
        self.timeout_s = settings.inference_timeout_s
        self.batching = settings.batching
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="inference")
        self._queue: asyncio.Queue[_Waiting] = asyncio.Queue(self.batching.max_queue)
        self._batchers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Self:
        if self.batching.enabled:  # one batch in flight per thread
            self._batchers = [asyncio.create_task(self._batch()) for _ in range(self.threads)]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for batcher in self._batchers:
            batcher.cancel()
        await asyncio.gather(*self._batchers, return_exceptions=True)
        while not self._queue.empty():
            self._queue.get_nowait().future.set_exception(OverloadedError("Shutting down."))
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def predict(self, rows: Rows) -> Sequence[Any]:
        """One result per row; TimeoutError after ``timeout_s``, OverloadedError if full."""
        if self.batching.enabled:
            future = asyncio.get_running_loop().create_future()
            try:
                self._queue.put_nowait(_Waiting(rows, future))
            except asyncio.QueueFull:
                raise OverloadedError(f"{self._queue.maxsize} requests are waiting.") from None
        else:
            future = self._in_thread(rows)
        # A call that already started when the time is up runs to its end in its thread.
        return await asyncio.wait_for(future, self.timeout_s)

    def _in_thread(self, rows: Rows) -> "asyncio.Future[Sequence[Any]]":
        return asyncio.get_running_loop().run_in_executor(self._executor, self.predict_batch, rows)

    async def _batch(self) -> None:
        """Predict the requests waiting in one call; a batch stops growing once it has
        max_batch_size rows.  A lone request goes at once: those that come while the model
        works form the next batch, so batches grow with the load."""
        while True:
            batch = [await self._queue.get()]
            if self.batching.max_wait_ms and self._queue.empty():
                await asyncio.sleep(self.batching.max_wait_ms / 1000)
            size = len(batch[0].rows)
            while size < self.batching.max_batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
                size += len(batch[-1].rows)
            await self._predict_together(batch)

    async def _predict_together(self, batch: list[_Waiting]) -> None:
        batch = [item for item in batch if not item.future.done()]  # the others timed out
        if not batch:
            return
        try:
            results = await self._in_thread([row for item in batch for row in item.rows])
        except Exception as error:
            if len(batch) == 1 and not batch[0].future.done():
                batch[0].future.set_exception(error)
            elif len(batch) > 1:  # one request may be to blame: each alone, so only it fails
                for item in batch:
                    await self._predict_together([item])
            return
        start = 0
        for item in batch:
            if not item.future.done():  # unless the caller timed out meanwhile
                item.future.set_result(results[start : start + len(item.rows)])
            start += len(item.rows)


class AdmissionMiddleware:
    """At most ``limit`` requests are served at once, each counted once its whole body has
    arrived (408 if that takes over ``body_timeout_s``); ``exempt`` paths never wait.

    Waiting costs the event loop nothing, so under a flood the loop works on a few requests
    at a time and a health check waits behind those few only.
    """

    def __init__(self, app: ASGIApp, *, limit: int, body_timeout_s: float, exempt: set[str]):
        self.app = app
        self.body_timeout_s = body_timeout_s
        self.exempt = exempt
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "").removeprefix(scope.get("root_path", ""))  # behind a proxy
        if scope["type"] != "http" or path in self.exempt:
            await self.app(scope, receive, send)
            return
        try:  # FastAPI's max_body_size, outside, answers 413 if the body grows too large
            async with asyncio.timeout(self.body_timeout_s):
                messages = [await receive()]
                while messages[-1].get("more_body"):
                    messages.append(await receive())
        except TimeoutError:
            detail = f"The request body did not arrive within {self.body_timeout_s:g} s."
            await JSONResponse({"detail": detail}, 408)(scope, receive, send)
            return

        async def replay() -> Message:  # the body read above, then the client as it is
            return messages.pop(0) if messages else await receive()

        async with self._slots:
            await self.app(scope, replay, send)
