"""How /predict reaches the model: straight to a worker thread, or through micro-batching.

Both keep the event loop free: ``model.predict`` is CPU-bound, so it runs in a worker
thread.  A thread rather than a process, because the model is shared without copying (one
load per server process) and NumPy{% if cookiecutter.model_framework == 'pytorch' %} and PyTorch release{% elif cookiecutter.model_framework == 'onnx' %} and ONNX Runtime release{% else %} releases{% endif %} the GIL in their heavy loops.
There are ``inference_threads`` of them, started with the app: more would only contend for
the GIL and the cores, and slow down the event loop that answers /livez and /readyz.

The threads are our own rather than a ``ThreadPoolExecutor`` because of the hand-off, which
for a small model costs more than the prediction.  ``run_in_executor`` pays, per request,
two futures chained across threads and a wake-up of the event loop; ``InferenceThreads``
takes jobs from one C-level queue and hands results back in bursts: one wake-up of the loop
for all the results that finished while it was busy.  Side by side under wrk, as
bench/serving.py runs it, a route that used ``run_in_executor`` served about 0.6x of a bare
endpoint's requests per second, and 0.75x with these threads.

With ``batching.enabled``, concurrent requests wait up to ``batching.max_wait_ms`` to be
predicted together in one model call, up to ``batching.max_batch_size`` rows: many small
requests then cost about as much as one large one.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.model import IrisModel, Prediction

Rows = Sequence[Sequence[float]]
Predict = Callable[[Rows], list[Prediction]]


class OverloadedError(Exception):
    """The batching queue is full: the caller should retry later (503)."""


class Predictor(Protocol):
    def submit(self, rows: Rows) -> asyncio.Future[list[Prediction]]:
        """Start predicting ``rows``; the future holds one ``Prediction`` per row.

        It raises ``TimeoutError`` after ``inference_timeout_s`` (see ``Deadlines``), and
        ``OverloadedError`` at once if the server has too much work queued already.
        """
        ...


# A job for the threads: where the answer goes, and what to compute.
_Job = tuple[asyncio.Future[list[Prediction]], Predict, Rows]
_Done = tuple[asyncio.Future[list[Prediction]], list[Prediction] | None, Exception | None]


class InferenceThreads:
    """Worker threads that run predictions for one event loop (see the module's docstring).

    Use it as a context manager, inside the loop: the threads start on entry and stop on
    exit, once the jobs already queued are done.
    """

    def __init__(self, count: int = 1) -> None:
        self.count = count
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._done: deque[_Done] = deque()
        self._lock = threading.Lock()
        self._wake_up_queued = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> InferenceThreads:
        self._loop = loop = asyncio.get_running_loop()
        for number in range(self.count):
            # Daemons: a prediction still running at exit must not keep the process alive.
            name = f"inference-{number}"
            threading.Thread(target=self._work, args=(loop,), name=name, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for _ in range(self.count):
            self._jobs.put(None)

    def submit(self, predict: Predict, rows: Rows) -> asyncio.Future[list[Prediction]]:
        """Run ``predict(rows)`` in a worker thread; the future is resolved on the loop."""
        if self._loop is None:
            raise RuntimeError("InferenceThreads is not running: use it as `with ...:`.")
        future = self._loop.create_future()
        self._jobs.put((future, predict, rows))
        return future

    # -- in a worker thread -------------------------------------------------------------

    def _work(self, loop: asyncio.AbstractEventLoop) -> None:
        while (job := self._jobs.get()) is not None:
            future, predict, rows = job
            if future.done():
                # The caller timed out (504) or went away while the job waited: skip it.
                # Reading done() from this thread is a plain attribute read, safe enough for
                # this: at worst a result is computed and then dropped.
                continue
            try:
                self._done.append((future, predict(rows), None))
            except Exception as error:
                self._done.append((future, None, error))
            with self._lock:
                if self._wake_up_queued:  # the loop has not delivered the last ones yet
                    continue
                self._wake_up_queued = True
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                loop.call_soon_threadsafe(self._deliver)

    # -- on the event loop --------------------------------------------------------------

    def _deliver(self) -> None:
        with self._lock:
            self._wake_up_queued = False
        while self._done:
            future, result, error = self._done.popleft()
            _settle(future, result, error=error)  # unless it timed out meanwhile


class Deadlines:
    """Fail the futures still pending ``timeout_s`` after they were watched, with TimeoutError.

    Every prediction gets the same timeout, so deadlines expire in the order they were set:
    one queue and one timer serve them all, where ``asyncio.wait_for`` would make a timer,
    a callback and a second future for each request.  A timed-out caller answers 504 at
    once; a thread that already started its call finishes it in the background (a running
    thread cannot be interrupted) and the result is dropped.
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._watched: deque[tuple[float, asyncio.Future[list[Prediction]]]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, future: asyncio.Future[list[Prediction]]) -> asyncio.Future[list[Prediction]]:
        loop = asyncio.get_running_loop()
        watched = self._watched
        while watched and watched[0][1].done():  # answered already: most of them, in order
            watched.popleft()
        watched.append((loop.time() + self.timeout_s, future))
        if self._timer is None:
            self._timer = loop.call_at(watched[0][0], self._expire)
        return future

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        loop = asyncio.get_running_loop()
        now, watched = loop.time(), self._watched
        while watched and (watched[0][0] <= now or watched[0][1].done()):
            _, future = watched.popleft()
            if not future.done():
                future.set_exception(TimeoutError())
        self._timer = loop.call_at(watched[0][0], self._expire) if watched else None


class ThreadPredictor:
    """Each request's rows in one model call, in a worker thread."""

    def __init__(self, model: IrisModel, threads: InferenceThreads, deadlines: Deadlines) -> None:
        self.model = model
        self.threads = threads
        self.deadlines = deadlines

    def submit(self, rows: Rows) -> asyncio.Future[list[Prediction]]:
        return self.deadlines.watch(self.threads.submit(self.model.predict, rows))


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
        threads: InferenceThreads,
        deadlines: Deadlines,
    ) -> None:
        self.model = model
        self.deadlines = deadlines
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000
        self.threads = threads
        self.workers = threads.count  # batches in flight at once: one per inference thread
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
        return self.deadlines.watch(pending.future)

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
            results = await self.threads.submit(self.model.predict, rows)
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
