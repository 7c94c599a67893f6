{%- set m = cookiecutter._model -%}
"""app/serving.py: predictions off the event loop, alone or micro-batched, with limits."""

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
{%- if m %}
from typing import Any
{%- endif %}

import pytest
from fastapi.testclient import TestClient

from app.config import BatchingSettings, Settings
from app.model import Model
{%- if m %}
{%- if m.get('arrays') %}
from app.schemas import SAMPLES
from app.serving import ModelRunner, OverloadedError
from tests.conftest import approximately

ROWS = [list(sample) for sample in (SAMPLES * 3)[:3]]
{%- else %}
from app.schemas import SAMPLES, Features
from app.serving import ModelRunner, OverloadedError
from tests.conftest import approximately

ROWS = [list(Features.model_validate(sample).row()) for sample in (SAMPLES * 3)[:3]]
{%- endif %}
Rows = Sequence[Sequence[object]]
{%- else %}
from app.schemas import SETOSA, VIRGINICA
from app.serving import ModelRunner, OverloadedError

VERSICOLOR = {"sepal_length": 6.0, "sepal_width": 2.7, "petal_length": 4.2, "petal_width": 1.3}
ROWS = [list(flower.values()) for flower in (SETOSA, VERSICOLOR, VIRGINICA)]
Rows = Sequence[Sequence[float]]
{%- endif %}


# 24 requests of 1 to 4 rows: one batch of them all, or (limit 5) several batches.
@pytest.mark.parametrize("max_batch_size", [64, 5])
def test_batching_gives_each_request_its_own_answers_in_fewer_model_calls(
    model_path: Path, max_batch_size: int
) -> None:
    model = Model.load(model_path)
    requests = [[ROWS[i % 3]] * (1 + i % 4) for i in range(24)]

    async def predict_all(batching: BatchingSettings) -> tuple[list[Sequence[object]], int]:
        calls = 0

        def predict(rows: Rows) -> {{ 'list[Any]' if m else 'list[list[float]]' }}:  # the model, counting its calls
            nonlocal calls
            calls += 1
            return model.predict(rows)

        async with ModelRunner(predict, Settings(batching=batching)) as runner:
            results = await asyncio.gather(*(runner.predict(rows) for rows in requests))
        return results, calls

    alone, calls_alone = asyncio.run(predict_all(BatchingSettings(enabled=False)))
    batched, calls_batched = asyncio.run(
        predict_all(BatchingSettings(enabled=True, max_batch_size=max_batch_size))
    )

    expected = [model.predict(rows) for rows in requests]
    assert alone == expected
    # The same numbers, to the last bits that a matrix product of another shape may round.
    for answer, wanted in zip(batched, expected, strict=True):
        assert len(answer) == len(wanted)
        for row, wanted_row in zip(answer, wanted, strict=True):
{%- if m %}
            assert row.model_dump() == approximately(wanted_row.model_dump())
{%- else %}
            assert row == pytest.approx(wanted_row, rel=1e-5, abs=1e-7)
{%- endif %}
    assert calls_alone == len(requests)
    assert calls_batched < len(requests)


def test_a_failing_request_does_not_fail_the_others_in_its_batch() -> None:
    bad = [-1.0] * len(ROWS[0])

    def predict(rows: Rows) -> list[str]:  # fails on the bad row, as a model might
        if bad in rows:
            raise ValueError("bad measurement")
        return [repr(row) for row in rows]

    settings = Settings(batching=BatchingSettings(enabled=True))

    async def scenario() -> list[object]:
        async with ModelRunner(predict, settings) as runner:
            requests = [ROWS[0]], [bad], [ROWS[2]]
            results: list[object] = await asyncio.gather(
                *(runner.predict(rows) for rows in requests), return_exceptions=True
            )
            return results

    first, failed, last = asyncio.run(scenario())

    assert first == [repr(ROWS[0])]
    assert isinstance(failed, ValueError)
    assert last == [repr(ROWS[2])]


@pytest.mark.parametrize("batching", [False, True])
def test_a_slow_prediction_times_out(batching: bool) -> None:
    def slow(rows: Rows) -> list[float]:
        time.sleep(0.5)
        return [0.0 for _ in rows]

    settings = Settings(inference_timeout_s=0.05, batching=BatchingSettings(enabled=batching))

    async def scenario() -> None:
        async with ModelRunner(slow, settings) as runner:
            await runner.predict(ROWS)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        asyncio.run(scenario())
    assert time.monotonic() - started < 0.5  # at the deadline, not when the model is done


def test_a_full_queue_refuses_more_requests() -> None:
    busy, release = threading.Event(), threading.Event()

    def blocked(rows: Rows) -> list[float]:
        busy.set()
        release.wait(5)
        return [0.0 for _ in rows]

    settings = Settings(batching=BatchingSettings(enabled=True, max_batch_size=1, max_queue=1))

    async def scenario() -> None:
        async with ModelRunner(blocked, settings) as runner:
            first = asyncio.create_task(runner.predict([ROWS[0]]))
            await asyncio.to_thread(busy.wait, 5)  # the model is busy with the first
            second = asyncio.create_task(runner.predict([ROWS[1]]))
            await asyncio.sleep(0)  # the second takes the one place in the queue
            try:
                with pytest.raises(OverloadedError):
                    await runner.predict([ROWS[2]])
            finally:
                release.set()
            assert await first == [0.0]
            assert await second == [0.0]

    asyncio.run(scenario())


@pytest.mark.parametrize("batching", [False, True])
def test_slow_inference_answers_504(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch, batching: bool
) -> None:
    def slow(model: Model, rows: Rows) -> {{ 'list[Any]' if m else 'list[list[float]]' }}:
        time.sleep(0.5)
        return []

    monkeypatch.setattr(Model, "predict", slow)
    client = make_client(inference_timeout_s=0.05, batching={"enabled": batching})

    started = time.monotonic()
    response = client.post("/predict", json={"instances": [{{ 'SAMPLES[0]' if m else 'SETOSA' }}]})

    assert response.status_code == 504
    assert "longer than 0.05 s" in response.json()["detail"]
    assert time.monotonic() - started < 0.5


def test_a_full_queue_answers_503_with_retry_after(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    predict = Model.predict

    def blocked(model: Model, rows: Rows) -> {{ 'list[Any]' if m else 'list[list[float]]' }}:
        release.wait(5)
        return predict(model, rows)

    monkeypatch.setattr(Model, "predict", blocked)
    # One request in the model, one in the queue: of three, one at least is refused.
    client = make_client(batching={"enabled": True, "max_batch_size": 1, "max_queue": 1})
    body = {"instances": [{{ 'SAMPLES[0]' if m else 'SETOSA' }}]}

    with ThreadPoolExecutor(3) as pool:
        sent = [pool.submit(client.post, "/predict", json=body) for _ in range(3)]
        # While the model is blocked, only a refusal can come back.
        done, _ = wait(sent, timeout=5, return_when=FIRST_COMPLETED)
        release.set()
        first_answer = done.pop().result()
        answers = [future.result() for future in sent]

    assert first_answer.status_code == 503
    assert first_answer.headers["retry-after"] == "1"
    assert "Retry shortly" in first_answer.json()["detail"]
    assert {answer.status_code for answer in answers} <= {200, 503}


def test_health_checks_answer_while_every_slot_is_taken(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Semaphore(0), threading.Event()
    predict = Model.predict

    def blocked(model: Model, rows: Rows) -> {{ 'list[Any]' if m else 'list[list[float]]' }}:
        entered.release()
        release.wait(5)
        return predict(model, rows)

    monkeypatch.setattr(Model, "predict", blocked)
    client = make_client(max_concurrency=2, inference_threads=2)

    with ThreadPoolExecutor(2) as pool:
        predictions = [
            pool.submit(client.post, "/predict", json={"instances": [{{ 'SAMPLES[0]' if m else 'SETOSA' }}]}) for _ in range(2)
        ]
        try:
            for _ in range(2):  # both requests hold a slot, in the model
                assert entered.acquire(timeout=5)
            started = time.monotonic()
            liveness = client.get("/livez")
            readiness = client.get("/readyz")
            waited = time.monotonic() - started
        finally:
            release.set()

    assert liveness.status_code == 200
    assert readiness.status_code == 200
    assert waited < 1
    assert [future.result().status_code for future in predictions] == [200, 200]
