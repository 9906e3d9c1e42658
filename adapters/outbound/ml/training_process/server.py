"""The training process's side: serve the parent's calls one at a time, on its stdin and stdout, until stdin ends."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, BinaryIO

from adapters.outbound.ml.allocator import release_free_memory, resident_memory
from adapters.outbound.ml.training_process import messages
from adapters.outbound.ml.training_process.frames import frame, read_frame_blocking
from adapters.outbound.ml.training_process.own_process import die_with_parent, lower_priority, process_facts
from application.ports.mislabel_detector import MislabelDetector
from application.ports.model_trainer import ModelTrainer, TrainedModel
from domain.training_runs import TrainingProgress

logger = logging.getLogger(__name__)

BuildServices = Callable[[bytes], tuple[ModelTrainer, MislabelDetector]]
"""Builds the real trainer and detector from the parent's configuration frame (bootstrap knows how)."""


def run_training_process(build: BuildServices) -> None:
    """The training process's whole life. Its command line ends with the parent's pid.

    First it ties its life to the parent's and lowers its priority (before any thread exists, so every later thread
    inherits it); then it moves stdout aside for the replies and points file descriptor 1 at stderr, so a library
    that prints cannot corrupt them; then it builds its services from the first frame and serves.
    """
    die_with_parent(int(sys.argv[-1]))
    lower_priority()
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    configuration = read_frame_blocking(requests)
    if configuration is None:
        return
    trainer, detector = build(configuration)
    asyncio.run(_serve(requests, _Replies(replies), trainer, detector))


class _Replies:
    """Writes reply frames; progress comes from the trainer's threads, so every write holds the lock."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, reply: messages.Reply) -> None:
        payload = frame(messages.encoder.encode(reply))
        with self._lock:
            self._stream.write(payload)
            self._stream.flush()

    def progress(self, update: TrainingProgress) -> None:
        self.send(messages.Progress(update))


async def _serve(requests: BinaryIO, replies: _Replies, trainer: ModelTrainer, detector: MislabelDetector) -> None:
    while (payload := await asyncio.to_thread(read_frame_blocking, requests)) is not None:
        request: messages.Request = messages.request_decoder.decode(payload)
        try:
            reply = await _answer(request, trainer, detector, replies.progress)
        except Exception as failure:  # noqa: BLE001 - reported to the parent, which raises it; the child serves on
            logger.exception("training call %s failed", type(request).__name__)
            reply = messages.Failed(f"{type(failure).__name__}: {failure}")
        # What the call loaded (a version to calibrate, a fit's matrices) goes back to the system before the next.
        await asyncio.to_thread(release_free_memory)
        logger.info("training call %s answered: %s", type(request).__name__, resident_memory())
        replies.send(reply)


async def _answer(
    request: messages.Request,
    trainer: ModelTrainer,
    detector: MislabelDetector,
    on_progress: Callable[[TrainingProgress], None],
) -> messages.Reply:
    match request:
        case messages.TrainLinear(train, validation, labels):
            return messages.Trained(_with_facts(await trainer.train_linear(train, validation, labels, on_progress)))
        case messages.Train(train, validation, labels, warm_starts, reuse_linear, epochs, encoder_examples):
            # Passed only when given, as the use case passes them: an update's, never a full training's.
            given = {"epochs": epochs, "encoder_examples": encoder_examples}
            extra: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
            trained = await trainer.train(
                train, validation, labels, warm_starts, on_progress, reuse_linear=reuse_linear, **extra
            )
            return messages.Trained(_with_facts(trained))
        case messages.Predict(path, texts):
            return messages.Predicted(await trainer.predict(path, texts))
        case messages.Calibrate(path, validation, test):
            return messages.Calibrated(await trainer.calibrate(path, validation, test))
        case messages.FindMislabels(tickets):
            return messages.Judged(await detector.find(tickets))


def _with_facts(model: TrainedModel | None) -> TrainedModel | None:
    """The version's details plus this process's peak memory and priority."""
    return None if model is None else replace(model, details={**model.details, **process_facts()})
