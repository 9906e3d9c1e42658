"""The micro-batcher groups concurrent requests, keeps each caller's answer, and never strands a caller."""

from __future__ import annotations

import asyncio
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.outbound.ml.serving.micro_batcher import MicroBatcher


class RecordingProcessor:
    """A fake model: upper-cases each text and records the batches it saw and the thread it ran on.

    A batch of just `HOLD` blocks inside the worker until `release` is set: while it is held, every later submit is
    known to be waiting in the queue, so what the worker gathers next follows from the code, not from timing.
    """

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.holding = threading.Event()
        self.release = threading.Event()

    def __call__(self, texts: list[str]) -> list[str]:
        self.batches.append(list(texts))
        self.threads.add(threading.current_thread().name)
        if texts == [HOLD]:
            self.holding.set()
            assert self.release.wait(GUARD_S), "the test never released the held batch"
        return [text.upper() for text in texts]


HOLD = "<hold>"
GUARD_S = 10.0  # only bounds a hang when the batcher is broken; no assertion depends on it


async def submit_behind_a_held_batch(
    batcher: MicroBatcher[str], processor: RecordingProcessor, texts: list[str]
) -> list[asyncio.Task[str]]:
    """Submits `texts` while the worker is held inside a batch, then releases it; returns the callers' tasks."""
    held = asyncio.create_task(batcher.submit(HOLD))
    assert await asyncio.to_thread(processor.holding.wait, GUARD_S)
    tasks = [asyncio.create_task(batcher.submit(text)) for text in texts]
    await asyncio.sleep(0)  # every task runs up to its first await, so each request is in the queue
    processor.release.set()
    assert await held == HOLD.upper()
    return tasks


async def test_requests_waiting_together_share_one_batch_and_each_caller_gets_its_own_result() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=32, max_wait_ms=0)
    texts = [f"ticket {i}" * (i % 5 + 1) for i in range(20)]

    results = await asyncio.gather(*await submit_behind_a_held_batch(batcher, processor, texts))

    assert results == [text.upper() for text in texts]
    assert len(processor.batches) == 2 and sorted(processor.batches[1]) == sorted(texts)
    batcher.close()


async def test_identical_texts_in_a_batch_are_computed_once_and_shared() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=32, max_wait_ms=0)

    tasks = await submit_behind_a_held_batch(batcher, processor, ["same", "other", "same", "same"])

    assert await asyncio.gather(*tasks) == ["SAME", "OTHER", "SAME", "SAME"]
    assert processor.batches[1:] == [["same", "other"]]
    batcher.close()


async def test_batches_never_exceed_the_size_limit() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=4, max_wait_ms=0)
    texts = [str(i) for i in range(10)]

    results = await asyncio.gather(*await submit_behind_a_held_batch(batcher, processor, texts))

    assert results == texts
    assert [len(batch) for batch in processor.batches[1:]] == [4, 4, 2]
    batcher.close()


async def test_texts_are_sorted_by_length_inside_a_batch() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=8, max_wait_ms=0)

    await asyncio.gather(*await submit_behind_a_held_batch(batcher, processor, ["ccc", "a", "bbbb", "dd"]))

    assert processor.batches[1:] == [["a", "dd", "ccc", "bbbb"]]
    batcher.close()


async def test_all_batches_run_on_one_dedicated_worker_thread_off_the_loop() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_batch_size=2, max_wait_ms=0, name="test-worker")

    await batcher.submit_many([str(i) for i in range(6)])

    assert processor.threads == {"test-worker"}
    batcher.close()


async def test_the_event_loop_keeps_running_while_a_batch_is_processed() -> None:
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_wait_ms=0)

    held = asyncio.create_task(batcher.submit(HOLD))
    # Waiting for the worker to be inside the batch needs the loop to run (the wait's thread reports back through
    # it), and the caller's future must still be pending: the batch runs off the loop, which is not blocked.
    assert await asyncio.to_thread(processor.holding.wait, GUARD_S)
    await asyncio.sleep(0)
    assert not held.done()
    processor.release.set()
    assert await held == HOLD.upper()
    assert threading.current_thread().name not in processor.threads
    batcher.close()


async def test_an_exception_reaches_every_caller_of_the_failing_batch() -> None:
    def explode(texts: list[str]) -> list[str]:
        raise RuntimeError("model crashed")

    batcher = MicroBatcher(explode, max_wait_ms=0)

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
    processor = RecordingProcessor()
    batcher = MicroBatcher(processor, max_wait_ms=0)
    held = asyncio.create_task(batcher.submit(HOLD))
    assert await asyncio.to_thread(processor.holding.wait, GUARD_S)

    doomed = asyncio.create_task(batcher.submit("doomed"))
    kept = asyncio.create_task(batcher.submit("kept"))
    await asyncio.sleep(0)
    doomed.cancel()
    await asyncio.sleep(0)
    processor.release.set()

    assert await kept == "KEPT"
    assert doomed.cancelled()
    assert processor.batches[1:] == [["kept"]]  # the cancelled request was dropped, not computed
    await held
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


async def test_a_lone_request_is_never_held_back_but_a_busy_batcher_waits_for_batch_mates() -> None:
    processor = RecordingProcessor()
    # A wait far longer than the guard: were a lone request held for it, the guard would fail the test.
    batcher = MicroBatcher(processor, max_batch_size=2, max_wait_ms=600_000)
    try:
        assert await asyncio.wait_for(batcher.submit("alone"), GUARD_S) == "ALONE"
        # Held behind a batch of one, two requests queue up and run together: the batcher is now busy.
        assert await asyncio.gather(*await submit_behind_a_held_batch(batcher, processor, ["b", "c"])) == ["B", "C"]
        first = asyncio.create_task(batcher.submit("d"))
        await asyncio.sleep(0)
        second = asyncio.create_task(batcher.submit("e"))
        assert await asyncio.wait_for(asyncio.gather(first, second), GUARD_S) == ["D", "E"]
    finally:
        batcher.close()
    assert [sorted(batch) for batch in processor.batches] == [["alone"], [HOLD], ["b", "c"], ["d", "e"]]
