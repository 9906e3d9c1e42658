"""The micro-batcher groups concurrent requests, keeps each caller's answer, and never strands a caller."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.outbound.ml.serving.micro_batcher import MicroBatcher


class RecordingProcessor:
    """A fake model: upper-cases each text and records the batches it saw and the thread it ran on."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.delay_s = delay_s

    def __call__(self, texts: list[str]) -> list[str]:
        self.batches.append(list(texts))
        self.threads.add(threading.current_thread().name)
        if self.delay_s:
            time.sleep(self.delay_s)
        return [text.upper() for text in texts]


async def test_concurrent_submits_share_a_batch_and_each_caller_gets_its_own_result() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=32, max_wait_ms=50)
    texts = [f"ticket {i}" * (i % 5 + 1) for i in range(20)]

    results = await asyncio.gather(*(batcher.submit(text) for text in texts))

    assert results == [text.upper() for text in texts]
    assert len(processor.batches) < len(texts)
    assert max(len(batch) for batch in processor.batches) > 1
    batcher.close()


async def test_identical_texts_in_a_batch_are_computed_once_and_shared() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=32, max_wait_ms=50)

    results = await asyncio.gather(*(batcher.submit(text) for text in ["same", "other", "same", "same"]))

    assert results == ["SAME", "OTHER", "SAME", "SAME"]
    assert sorted(text for batch in processor.batches for text in batch) == ["other", "same"]
    batcher.close()


async def test_batches_never_exceed_the_size_limit() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=4, max_wait_ms=20)

    results = await batcher.submit_many([str(i) for i in range(10)])

    assert results == [str(i) for i in range(10)]
    assert all(len(batch) <= 4 for batch in processor.batches)
    batcher.close()


async def test_texts_are_sorted_by_length_inside_a_batch() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=8, max_wait_ms=50)

    await batcher.submit_many(["ccc", "a", "bbbb", "dd"])

    for batch in processor.batches:
        assert [len(text) for text in batch] == sorted(len(text) for text in batch)
    batcher.close()


async def test_all_batches_run_on_one_dedicated_worker_thread_off_the_loop() -> None:
    processor = RecordingProcessor(delay_s=0.01)
    batcher = MicroBatcher(processor, max_batch_size=2, max_wait_ms=1, name="test-worker")

    await batcher.submit_many([str(i) for i in range(6)])

    assert processor.threads == {"test-worker"}
    batcher.close()


async def test_the_event_loop_keeps_running_while_a_batch_is_processed() -> None:
    batcher = MicroBatcher(RecordingProcessor(delay_s=0.2), max_wait_ms=0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await batcher.submit("slow")
    task.cancel()
    assert ticks >= 5
    batcher.close()


async def test_an_exception_reaches_every_caller_of_the_failing_batch() -> None:
    def explode(texts: list[str]) -> list[str]:
        raise RuntimeError("model crashed")

    batcher = MicroBatcher(explode, max_wait_ms=20)

    outcomes = await asyncio.gather(*(batcher.submit(str(i)) for i in range(5)), return_exceptions=True)

    assert all(isinstance(outcome, RuntimeError) and str(outcome) == "model crashed" for outcome in outcomes)
    batcher.close()


async def test_the_worker_survives_a_failed_batch() -> None:
    calls = 0

    def flaky(texts: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("first call fails")
        return texts

    batcher = MicroBatcher(flaky, max_wait_ms=0)

    with pytest.raises(ValueError, match="first call fails"):
        await batcher.submit("a")
    assert await batcher.submit("b") == "b"
    batcher.close()


async def test_a_wrong_number_of_results_is_an_error_not_a_misalignment() -> None:
    batcher = MicroBatcher(lambda texts: texts[:-1], max_wait_ms=0)

    with pytest.raises(RuntimeError, match="returned 0 results for 1 texts"):
        await batcher.submit("a")
    batcher.close()


async def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    batcher = MicroBatcher(RecordingProcessor(delay_s=0.05), max_wait_ms=10)

    doomed = asyncio.create_task(batcher.submit("doomed"))
    kept = asyncio.create_task(batcher.submit("kept"))
    await asyncio.sleep(0)
    doomed.cancel()

    assert await kept == "KEPT"
    assert doomed.cancelled()
    batcher.close()


def test_one_batcher_serves_successive_event_loops() -> None:
    batcher = MicroBatcher(RecordingProcessor(), max_wait_ms=1)

    for round_ in range(3):
        assert asyncio.run(batcher.submit_many([f"{round_}a", f"{round_}b"])) == [f"{round_}A", f"{round_}B"]
    batcher.close()


def test_submitting_after_close_starts_a_fresh_worker() -> None:
    batcher = MicroBatcher(RecordingProcessor(), max_wait_ms=0)
    assert asyncio.run(batcher.submit("x")) == "X"
    batcher.close()
    assert asyncio.run(batcher.submit("y")) == "Y"
    batcher.close()


@pytest.mark.parametrize(("size", "wait"), [(0, 1.0), (1, -1.0)])
def test_invalid_settings_are_refused(size: int, wait: float) -> None:
    with pytest.raises(ValueError):
        MicroBatcher(RecordingProcessor(), max_batch_size=size, max_wait_ms=wait)


_shared_batcher = MicroBatcher(lambda texts: [f"{len(text)}:{text[::-1]}" for text in texts], max_batch_size=5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=25))
def test_batched_results_equal_processing_each_text_alone(texts: list[str]) -> None:
    def alone(text: str) -> str:
        return f"{len(text)}:{text[::-1]}"

    async def concurrently() -> list[str]:
        return list(await asyncio.gather(*(_shared_batcher.submit(text) for text in texts)))

    assert asyncio.run(concurrently()) == [alone(text) for text in texts]
