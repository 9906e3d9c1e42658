"""The parent's side: a `ModelTrainer` and `MislabelDetector` whose every call runs in the training process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable, Sequence
from typing import TypeVar

from adapters.outbound.ml.training_process.frames import frame, read_frame
from adapters.outbound.ml.training_process.host_pacer import HostPacer, PacingPolicy
from adapters.outbound.ml.training_process.messages import (
    Calibrate,
    Calibrated,
    Failed,
    FindMislabels,
    Judged,
    Predict,
    Predicted,
    Progress,
    Reply,
    Request,
    Train,
    Trained,
    TrainLinear,
    encoder,
    reply_decoder,
)
from application.ports.model_trainer import CalibratedVersion, TrainedModel
from domain.dataset_split import Example
from domain.labelled_tickets import LabelledTicket
from domain.mislabels import LabelJudgement
from domain.model_versions import ModelVersion
from domain.training_runs import TrainingProgress

logger = logging.getLogger(__name__)
R = TypeVar("R", Trained, Predicted, Calibrated, Judged)


class TrainingProcessDied(RuntimeError):
    """The training process ended in the middle of a call (killed by a signal, out of memory, crashed)."""


class TrainingFailed(RuntimeError):
    """A call raised in the training process; the message is the child's "<exception type>: <message>"."""


def describe_exit(returncode: int) -> str:
    """How a process ended, in words: "exit code -9 (SIGKILL, likely out of memory)"."""
    if returncode >= 0:
        return f"exit code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    # The kernel's OOM killer sends SIGKILL; so would an operator, but far more rarely.
    return (
        f"exit code {returncode} ({name}, likely out of memory)"
        if name == "SIGKILL"
        else f"exit code {returncode} ({name})"
    )


class TrainingProcess:
    """Forwards each call to a child Python process (`command` + this process's pid), one call at a time.

    The child starts at the first call, gets `configuration` as its first frame, and serves every later call until
    `close`; the caller closes it when its job ends, which returns the child's memory to the system. Progress of a
    training comes back as messages and `on_progress` is called here, on the event loop. A call that raised in the
    child raises `TrainingFailed` (the child serves on); a child that dies mid-call makes the call raise
    `TrainingProcessDied` with how it ended, and the next call starts a fresh one. A call cancelled mid-way kills
    the child, since nobody wants what it computes any more. Nothing here blocks the event loop.

    `pause_busy_share`: while the other processes use at least this share of the host's CPU, the child and the
    processes it started are stopped (`host_pacer`); 0 never stops them. `exit_grace_s`: how long a child that broke
    its pipe may take to finish exiting (its exit code says why it died) before it is killed.
    """

    def __init__(
        self, command: Sequence[str], configuration: bytes, pause_busy_share: float, exit_grace_s: float = 30.0
    ) -> None:
        self._command = tuple(command)
        self._configuration = configuration
        self._pause_busy_share = pause_busy_share
        self._exit_grace_s = exit_grace_s
        self._process: asyncio.subprocess.Process | None = None
        self._pacer: HostPacer | None = None
        self._calls = asyncio.Lock()

    async def train_linear(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        on_progress: Callable[[TrainingProgress], None],
    ) -> TrainedModel | None:
        request = TrainLinear(list(train), list(validation), list(labels))
        return (await self._call(request, Trained, on_progress)).model

    async def train(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        warm_starts: Sequence[ModelVersion],
        on_progress: Callable[[TrainingProgress], None],
        reuse_linear: ModelVersion | None = None,
        epochs: float | None = None,
        encoder_examples: Sequence[Example] | None = None,
    ) -> TrainedModel:
        encoder = list(encoder_examples) if encoder_examples is not None else None
        request = Train(list(train), list(validation), list(labels), list(warm_starts), reuse_linear, epochs, encoder)
        model = (await self._call(request, Trained, on_progress)).model
        if model is None:
            raise TrainingFailed("the training process answered a training with no model")
        return model

    async def predict(self, path: str, texts: Sequence[str]) -> list[str]:
        return (await self._call(Predict(path, list(texts)), Predicted)).labels

    async def calibrate(self, path: str, validation: Sequence[Example], test: Sequence[Example]) -> CalibratedVersion:
        return (await self._call(Calibrate(path, list(validation), list(test)), Calibrated)).version

    async def find(self, tickets: Sequence[LabelledTicket]) -> list[LabelJudgement]:
        return (await self._call(FindMislabels(list(tickets)), Judged)).judgements

    @property
    def pid(self) -> int | None:
        """The running child's pid; None before the first call and after `close`."""
        return self._process.pid if self._process is not None else None

    async def close(self) -> None:
        """Ends the child by SIGKILL and waits until it is gone; safe to call at any time, and again.

        Why not ask it to exit: it holds nothing a clean exit would save (each result was complete before it was
        sent, and its log lines are written as they come), and at idle priority on busy cores the CPU time a clean
        exit takes may be long in coming, while the memory it holds is what the job's end should give back."""
        process, self._process = self._process, None
        self._stop_pacing()
        if process is not None:
            _kill(process)
            await process.wait()

    async def _call(
        self, request: Request, expected: type[R], on_progress: Callable[[TrainingProgress], None] | None = None
    ) -> R:
        async with self._calls:
            process = await self._running()
            try:
                reply = await self._exchange(process, request, on_progress)
            except (ConnectionError, asyncio.IncompleteReadError) as broken:
                raise await self._died(process) from broken
            except BaseException:
                # Cancelled, or an unreadable reply: the child is mid-call and nothing it computes is wanted.
                self._kill(process)
                raise
        if isinstance(reply, Failed):
            raise TrainingFailed(reply.error)
        if not isinstance(reply, expected):
            self._kill(process)
            raise TrainingFailed(f"the training process answered {type(reply).__name__} to {type(request).__name__}")
        return reply

    async def _exchange(
        self,
        process: asyncio.subprocess.Process,
        request: Request,
        on_progress: Callable[[TrainingProgress], None] | None,
    ) -> Reply:
        assert process.stdin is not None and process.stdout is not None  # both are pipes (`_running`)
        process.stdin.write(frame(encoder.encode(request)))
        await process.stdin.drain()
        while True:
            reply: Reply = reply_decoder.decode(await read_frame(process.stdout))
            if not isinstance(reply, Progress):
                return reply
            if on_progress is not None:
                on_progress(reply.update)

    async def _running(self) -> asyncio.subprocess.Process:
        if self._process is None or self._process.returncode is not None:
            # stderr is inherited: the child's log lines land in this process's log.
            process = await asyncio.create_subprocess_exec(
                *self._command,
                str(os.getpid()),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                # Its own session: a Ctrl+C in the terminal reaches the API, which stops the child itself.
                start_new_session=True,
            )
            assert process.stdin is not None
            process.stdin.write(frame(self._configuration))
            self._process = process
            logger.info("training process %d started", process.pid)
            if self._pause_busy_share > 0:
                # The child leads its own session, so its pid is its process group's id.
                self._pacer = HostPacer(process.pid, PacingPolicy(busy_share=self._pause_busy_share))
                self._pacer.start()
        return self._process

    async def _died(self, process: asyncio.subprocess.Process) -> TrainingProcessDied:
        """The error of a call whose child broke the pipe, once the child has exited (killed if it lingers)."""
        closed = self._process is not process
        self._forget(process)
        try:
            returncode = await asyncio.wait_for(process.wait(), self._exit_grace_s)
            how = "it was closed mid-call" if closed else describe_exit(returncode)
            _kill(process)  # the worker processes it started outlive it
        except TimeoutError:
            _kill(process)
            await process.wait()
            how = "it closed its pipe and was killed"
        logger.error("training process %d died: %s", process.pid, how)
        return TrainingProcessDied(f"training process died: {how}")

    def _kill(self, process: asyncio.subprocess.Process) -> None:
        self._forget(process)
        _kill(process)

    def _forget(self, process: asyncio.subprocess.Process) -> None:
        if self._process is process:
            self._process = None
            self._stop_pacing()  # a stopped child could not finish exiting

    def _stop_pacing(self) -> None:
        pacer, self._pacer = self._pacer, None
        if pacer is not None:
            pacer.close()


def _kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL at once to the child's whole process group (it leads a session of its own): the worker processes it
    started, such as the mislabel judgement's, would otherwise outlive it and hold their memory (several hundred MiB
    each) until their own idle timeout. The event loop's child watcher reaps the child, so it never lingers as a
    zombie. A group id is not reused while any process of the group lives, so a child that already exited only
    leaves its own workers to find."""
    with contextlib.suppress(ProcessLookupError):  # the group ended a moment ago
        os.killpg(process.pid, signal.SIGKILL)
