"""How /predict reaches the model: straight to a worker thread, or through micro-batching.

Both keep the event loop free: ``model.predict`` is CPU-bound, so it runs in a worker
thread.  A thread rather than a process, because the model is shared without copying (one
load per server process) and NumPy{% if cookiecutter.model_framework == 'pytorch' %} and PyTorch release{% elif cookiecutter.model_framework == 'onnx' %} and ONNX Runtime release{% else %} releases{% endif %} the GIL in their heavy loops.
The threads are a pool of their own, ``inference_threads`` of them: more would only
contend for the GIL and the cores, and slow down the event loop that answers /livez and
/readyz.  (A dedicated ``ThreadPoolExecutor`` hands work over at about half the cost of
``anyio.to_thread`` with a capacity limiter, measured with bench/serving.py.)

With ``batching.enabled``, concurrent requests wait up to ``batching.max_wait_ms`` to be
predicted together in one model call, up to ``batching.max_batch_size`` rows: many small
requests then cost about as much as one large one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from app.model import IrisModel, Prediction

Rows = Sequence[Sequence[float]]


class OverloadedError(Exception):
    """The batching queue is full: the caller should retry later (503)."""


class Predictor(Protocol):
    def submit(self, rows: Rows) -> asyncio.Future[list[Prediction]]:
        """Start predicting ``rows``; the future holds one ``Prediction`` per row.

        A future rather than a coroutine: ``asyncio.wait_for`` then times it out without
        wrapping it in a task of its own, which /predict would pay for on every request.
        """
        ...


class ThreadPredictor:
    """Each request's rows in one model call, in a worker thread."""

    def __init__(self, model: IrisModel, executor: ThreadPoolExecutor) -> None:
        self.model = model
        self.executor = executor

    def submit(self, rows: Rows) -> asyncio.Future[list[Prediction]]:
        return run_in_thread(self.executor, self.model, rows)


def run_in_thread(
    executor: ThreadPoolExecutor, model: IrisModel, rows: Rows
) -> asyncio.Future[list[Prediction]]:
    # A caller that times out answers 504 at once; the thread finishes its call in the
    # background and the result is dropped (a running thread cannot be interrupted).
    return asyncio.get_running_loop().run_in_executor(executor, model.predict, rows)


@dataclass
class _Pending:
    rows: Rows
    future: asyncio.Future[list[Prediction]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class MicroBatcher:
    """Queue concurrent requests and predict them together, each caller getting its own rows.

    One worker per inference thread takes the first request waiting, adds every request
    already queued behind it, waits at most ``max_wait_ms`` for more, and predicts them all
    in one call, up to ``max_batch_size`` rows (a request is never split, so a larger one goes
    alone).  Requests that arrive while the model is busy queue up and form the next batch:
    the busier the server, the larger its batches.  If a batch fails, its requests are
    predicted one by one, so one bad request never fails the others.
    """

    def __init__(
        self,
        model: IrisModel,
        *,
        max_batch_size: int,
        max_wait_ms: float,
        max_queue: int,
        executor: ThreadPoolExecutor,
        workers: int,
    ) -> None:
        self.model = model
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000
        self.executor = executor
        self.workers = workers  # batches in flight at once: one per inference thread
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue(maxsize=max_queue)
        self.calls = 0  # model calls made: batches, for the tests and the curious
        self._held_over: _Pending | None = None  # did not fit the last batch; opens the next

    def submit(self, rows: Rows) -> asyncio.Future[list[Prediction]]:
        pending = _Pending(rows)
        try:
            self.queue.put_nowait(pending)
        except asyncio.QueueFull:
            raise OverloadedError(
                f"{self.queue.maxsize} requests are already waiting; retry shortly."
            ) from None
        return pending.future

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[MicroBatcher]:
        """Collect and predict batches while the context is open (the app's lifespan)."""
        workers = [
            asyncio.create_task(self._work(), name=f"micro-batcher-{number}")
            for number in range(self.workers)
        ]
        try:
            yield self
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self._fail_waiting(OverloadedError("The server is shutting down; retry shortly."))

    async def _work(self) -> None:
        while True:
            await self._predict(await self._collect())

    async def _collect(self) -> list[_Pending]:
        if self._held_over is not None:
            first, self._held_over = self._held_over, None
        else:
            first = await self.queue.get()
        batch, size = [first], len(first.rows)
        deadline = time.monotonic() + self.max_wait
        while size < self.max_batch_size:
            try:
                item = self.queue.get_nowait()  # queued already: no waiting
            except asyncio.QueueEmpty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self.queue.get(), remaining)
{%- if cookiecutter.python_version == '3.10' %}
                except asyncio.TimeoutError:  # not TimeoutError: Python 3.10 tells them apart
{%- else %}
                except TimeoutError:
{%- endif %}
                    break
            if size + len(item.rows) > self.max_batch_size:
                self._held_over = item
                break
            batch.append(item)
            size += len(item.rows)
        return batch

    async def _predict(self, batch: list[_Pending]) -> None:
        waiting = [item for item in batch if not item.future.done()]  # callers that gave up
        if not waiting:
            return
        self.calls += 1
        rows = [row for item in waiting for row in item.rows]
        try:
            results = await run_in_thread(self.executor, self.model, rows)
        except Exception as error:
            if len(waiting) == 1:
                _settle(waiting[0].future, error=error)
            else:
                for item in waiting:  # find the culprit: each request on its own
                    await self._predict([item])
            return
        start = 0
        for item in waiting:
            end = start + len(item.rows)
            _settle(item.future, results[start:end])
            start = end

    def _fail_waiting(self, error: Exception) -> None:
        pending = [self._held_over] if self._held_over else []
        while not self.queue.empty():
            pending.append(self.queue.get_nowait())
        for item in pending:
            _settle(item.future, error=error)


def _settle(
    future: asyncio.Future[list[Prediction]],
    result: list[Prediction] | None = None,
    *,
    error: BaseException | None = None,
) -> None:
    if future.done():  # the caller timed out or went away
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result or [])
