"""How requests reach the model without stalling the server.

* ``ModelRunner`` calls the model's ``predict(rows)`` in worker threads, so the event loop
  keeps answering other requests (/livez among them); it answers ``TimeoutError`` after
  ``inference_timeout_s`` and, with batching on, predicts the requests that are waiting in
  one call.  It knows nothing of the model: any ``predict(rows)`` that returns one result
  per row will do.
* ``AdmissionLimit`` lets ``max_concurrency`` requests through at once; a dependency, so it
  counts a request only once its body is read, and routes without it (health checks,
  /metrics) never wait behind the work.
* ``BodyTimeoutMiddleware`` answers 408 to a client that sends its body too slowly.

The knobs are in app/config.py.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, Self

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import BatchingSettings

Rows = Sequence[Sequence[float]]
Predict = Callable[[Rows], Sequence[Any]]


class OverloadedError(Exception):
    """Too many requests are waiting for the model: answer 503 and ask to retry."""


class _Waiting(NamedTuple):
    rows: Rows
    future: "asyncio.Future[Sequence[Any]]"


class ModelRunner:
    """Runs ``predict`` off the event loop; use it as ``async with`` (the app's lifespan)."""

    def __init__(
        self, predict: Predict, *, threads: int, timeout_s: float, batching: BatchingSettings
    ) -> None:
        self.predict_batch = predict
        self.threads = threads
        self.timeout_s = timeout_s
        self.batching = batching
        self.model_calls = 0  # how many times predict ran: the tests read it
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="inference")
        self._queue: asyncio.Queue[_Waiting] = asyncio.Queue(batching.max_queue)
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
            self._queue.get_nowait().future.cancel()
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
        # On timeout the caller gets its 504 at once; a call that already started in a thread
        # runs to its end (threads cannot be interrupted) and its result is dropped.
        return await asyncio.wait_for(future, self.timeout_s)

    def _in_thread(self, rows: Rows) -> "asyncio.Future[Sequence[Any]]":
        self.model_calls += 1
        return asyncio.get_running_loop().run_in_executor(self._executor, self.predict_batch, rows)

    async def _batch(self) -> None:
        """Take the requests waiting, up to max_batch_size rows, and predict them in one call.

        A lone request goes at once (unless max_wait_ms asks to wait for company); requests
        that arrive while the model works form the next batch, so batches grow with load.
        """
        held_over: _Waiting | None = None  # did not fit in the last batch: opens the next one
        while True:
            batch = [held_over or await self._queue.get()]
            held_over, size = None, len(batch[0].rows)
            if self.batching.max_wait_ms and self._queue.empty():
                await asyncio.sleep(self.batching.max_wait_ms / 1000)
            while size < self.batching.max_batch_size and not self._queue.empty():
                waiting = self._queue.get_nowait()
                if size + len(waiting.rows) > self.batching.max_batch_size:
                    held_over = waiting
                    break
                batch.append(waiting)
                size += len(waiting.rows)
            await self._predict_together([item for item in batch if not item.future.done()])

    async def _predict_together(self, batch: list[_Waiting]) -> None:
        if not batch:  # every caller timed out already
            return
        try:
            results = await self._in_thread([row for item in batch for row in item.rows])
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0].future, error=error)
            else:  # one request may be to blame: predict each alone, so only it fails
                for item in batch:
                    await self._predict_together([item])
            return
        start = 0
        for item in batch:
            _settle(item.future, results[start : start + len(item.rows)])
            start += len(item.rows)


def _settle(
    future: "asyncio.Future[Sequence[Any]]",
    result: Sequence[Any] = (),
    *,
    error: Exception | None = None,
) -> None:
    if future.done():  # the caller timed out meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class AdmissionLimit:
    """A dependency that lets ``limit`` requests through at once; the others wait their turn.

    ``include_router(router, dependencies=[Depends(AdmissionLimit(4))])`` limits its routes.
    """

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self) -> AsyncIterator[None]:
        async with self._slots:
            yield


class BodyTimeoutMiddleware:
    """Answer 408 when a request's body has not fully arrived ``timeout_s`` after it began."""

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        body_done = False

        async def receive_in_time() -> Message:
            nonlocal body_done
            if body_done:  # only a disconnect is left to wait for: no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(
                    status.HTTP_408_REQUEST_TIMEOUT,
                    detail=f"The request body did not arrive within {self.timeout_s:g} s.",
                ) from None
            body_done = not message.get("more_body", False)
            return message

        await self.app(scope, receive_in_time, send)
