"""Inference off the event loop, alone or micro-batched: same answers, isolated failures."""

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.inference import Deadlines, InferenceThreads, MicroBatcher, OverloadedError
from app.main import app
from app.model import IrisModel, Prediction
from app.schemas import SETOSA, VIRGINICA

VERSICOLOR = {"sepal_length": 6.0, "sepal_width": 2.7, "petal_length": 4.2, "petal_width": 1.3}
FLOWERS = [SETOSA, VERSICOLOR, VIRGINICA]
ROWS = [list(flower.values()) for flower in FLOWERS]


def _batcher(model: IrisModel, threads: InferenceThreads, **limits: float) -> MicroBatcher:
    options = {"max_batch_size": 64, "max_wait_ms": 20.0, "max_queue": 100, **limits}
    return MicroBatcher(
        model,
        max_batch_size=int(options["max_batch_size"]),
        max_wait_ms=options["max_wait_ms"],
        max_queue=int(options["max_queue"]),
        threads=threads,
        deadlines=Deadlines(10.0),
    )


def test_batching_gives_the_same_answers_over_http(
    model_path: Path, use_settings: Callable[..., Settings]
) -> None:
    answers = []
    for enabled in (False, True):
        use_settings(model_path=model_path, batching={"enabled": enabled})
        with TestClient(app) as client:
            response = client.post("/predict", json={"instances": FLOWERS})
        assert response.status_code == 200
        answers.append(response.json())

    assert answers[0] == answers[1]


# A batch limit of 5 makes requests of 1 to 4 rows overflow it: the one that does not fit is
# held over to start the next batch, and must still get its own rows back.
@pytest.mark.parametrize("max_batch_size", [64, 5])
def test_concurrent_requests_share_model_calls_and_get_their_own_rows(
    model_path: Path, max_batch_size: int
) -> None:
    model = IrisModel.load(model_path)
    requests = [[ROWS[i % 3]] * (1 + i % 4) for i in range(24)]

    async def scenario() -> tuple[list[list[Prediction]], int]:
        with InferenceThreads(1) as threads:
            batcher = _batcher(model, threads, max_batch_size=max_batch_size)
            async with batcher.running():
                results = await asyncio.gather(*(batcher.submit(rows) for rows in requests))
        return list(results), batcher.calls

    results, calls = asyncio.run(scenario())

    expected = [model.predict(rows) for rows in requests]
    assert [[p.label for p in result] for result in results] == [
        [p.label for p in result] for result in expected
    ]
    # The same numbers, to the last bits a matrix product of another shape may round
    # (float32 models such as PyTorch's keep about seven significant digits).
    for result, alone in zip(results, expected, strict=True):
        for batched, single in zip(result, alone, strict=True):
            assert batched.probabilities == pytest.approx(single.probabilities, rel=1e-5, abs=1e-7)
    assert calls < len(requests)


class _FailsOnNegative:
    """A model that fails any call holding a negative value, as a bad input might."""

    def __init__(self, model: IrisModel) -> None:
        self.model = model

    def predict(self, rows: Sequence[Sequence[float]]) -> list[Prediction]:
        if any(value < 0 for row in rows for value in row):
            raise ValueError("negative measurement")
        return self.model.predict(rows)


def test_a_failing_request_does_not_fail_the_others_in_its_batch(model_path: Path) -> None:
    model = _FailsOnNegative(IrisModel.load(model_path))
    bad = [[-1.0, 1.0, 1.0, 1.0]]

    async def scenario() -> list[object]:
        with InferenceThreads(1) as threads:
            batcher = _batcher(model, threads)  # type: ignore[arg-type]
            async with batcher.running():
                futures = [
                    batcher.submit([ROWS[0]]),
                    batcher.submit(bad),
                    batcher.submit([ROWS[2]]),
                ]
                return await asyncio.gather(*futures, return_exceptions=True)

    good_first, failure, good_last = asyncio.run(scenario())

    assert isinstance(failure, ValueError)
    assert good_first == model.predict([ROWS[0]])
    assert good_last == model.predict([ROWS[2]])


def test_a_full_queue_refuses_more_requests(model_path: Path) -> None:
    model = IrisModel.load(model_path)

    async def scenario() -> None:
        with InferenceThreads(1) as threads:
            batcher = _batcher(model, threads, max_queue=2)
            batcher.submit([ROWS[0]])  # nobody collects: running() was not entered
            batcher.submit([ROWS[0]])
            with pytest.raises(OverloadedError, match="2 requests are already waiting"):
                batcher.submit([ROWS[0]])

    asyncio.run(scenario())


class _Overloaded:
    def submit(self, rows: object) -> "asyncio.Future[list[Prediction]]":
        raise OverloadedError("1024 requests are already waiting; retry shortly.")


def test_overload_answers_503_with_retry_after(client: TestClient) -> None:
    app.state.predictor = _Overloaded()

    response = client.post("/predict", json={"instances": [SETOSA]})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "retry shortly" in response.json()["detail"]


@pytest.mark.parametrize("batching", [False, True])
def test_slow_inference_answers_504(
    model_path: Path,
    use_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    batching: bool,
) -> None:
    def slow_predict(model: IrisModel, rows: Sequence[Sequence[float]]) -> list[Prediction]:
        time.sleep(0.5)
        return []

    monkeypatch.setattr(IrisModel, "predict", slow_predict)
    use_settings(model_path=model_path, inference_timeout_s=0.05, batching={"enabled": batching})
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.post("/predict", json={"instances": [SETOSA]})
        waited = time.monotonic() - started

    assert response.status_code == 504
    assert "longer than 0.05 s" in response.json()["detail"]
    assert waited < 0.5  # answered at the deadline, not when the model was done


def test_threads_answer_each_caller_and_keep_failures_to_their_own(model_path: Path) -> None:
    model = IrisModel.load(model_path)

    def predict(rows: Sequence[Sequence[float]]) -> list[Prediction]:
        if rows == [ROWS[1]]:
            raise ValueError("this one fails")
        return model.predict(rows)

    async def scenario() -> list[object]:
        with InferenceThreads(2) as threads:
            futures = [threads.submit(predict, [ROWS[i % 3]]) for i in range(30)]
            return await asyncio.gather(*futures, return_exceptions=True)

    results = asyncio.run(scenario())

    for i, result in enumerate(results):
        if i % 3 == 1:
            assert isinstance(result, ValueError)
        else:
            assert result == model.predict([ROWS[i % 3]])


def test_threads_skip_a_job_whose_caller_gave_up(model_path: Path) -> None:
    model = IrisModel.load(model_path)
    started, release = threading.Event(), threading.Event()
    calls: list[Sequence[Sequence[float]]] = []

    def blocking_predict(rows: Sequence[Sequence[float]]) -> list[Prediction]:
        calls.append(rows)
        started.set()
        release.wait(5)
        return model.predict(rows)

    async def scenario() -> None:
        with InferenceThreads(1) as threads:
            first = threads.submit(blocking_predict, [ROWS[0]])
            await asyncio.to_thread(started.wait, 5)  # the only thread is busy with `first`
            second = threads.submit(blocking_predict, [ROWS[1]])
            second.cancel()  # as a timed-out caller's future is
            release.set()
            await first
            third = await threads.submit(blocking_predict, [ROWS[2]])
            assert third == model.predict([ROWS[2]])

    asyncio.run(scenario())

    assert calls == [[ROWS[0]], [ROWS[2]]]


def test_deadlines_time_out_only_the_late() -> None:
    async def scenario() -> tuple[object, object]:
        loop = asyncio.get_running_loop()
        deadlines = Deadlines(0.05)
        answered = deadlines.watch(loop.create_future())
        late = deadlines.watch(loop.create_future())
        answered.set_result([])
        results = await asyncio.gather(answered, late, return_exceptions=True)
        deadlines.close()
        return results[0], results[1]

    answered, late = asyncio.run(scenario())

    assert answered == []
    assert isinstance(late, TimeoutError)


def test_submitting_outside_the_threads_context_is_a_clear_error(model_path: Path) -> None:
    model = IrisModel.load(model_path)

    with pytest.raises(RuntimeError, match="use it as `with"):
        InferenceThreads(1).submit(model.predict, ROWS)
