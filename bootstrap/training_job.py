"""The retraining job with a training process of its own: the job's heavy calls run there, the rest stays here.

The use case, its transactions, its progress and heartbeat writes run in the process that runs the job (the API
process in embedded mode, the worker, `ticket-utils train`) at normal priority; fitting, calibrating, predicting
and judging labels run in a child process at the lowest CPU priority (`adapters.outbound.ml.training_process`),
started at the job's first such call and ended with the job, which returns its memory to the system.

The child is told the settings without any secret, broker or database of the service's: it must never touch the
database, since with SQLite a child starved at idle priority while it held the write lock would stall every
API write.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import msgspec

from adapters.outbound.ml.training_process.client import TrainingProcess
from application.use_cases.export_tickets_and_retrain import ExportTicketsAndRetrain
from bootstrap.settings import Settings
from domain.training_runs import TrainingRun

TRAINING_PROCESS_MODULE = "bootstrap.training_process"
_NO_DATABASE = "sqlite+aiosqlite:///:memory:"


class RetrainingJob:
    """`ExportTicketsAndRetrain` over `process`, which ends when the job does, however it ends (cancelled too)."""

    def __init__(self, job: ExportTicketsAndRetrain, process: TrainingProcess) -> None:
        self._job = job
        self._process = process

    async def execute(self, run_id: int) -> TrainingRun:
        try:
            return await self._job.execute(run_id)
        finally:
            await self._process.close()


def training_process_for(settings: Settings) -> TrainingProcess:
    """A training process (not started yet) that builds its trainer from these settings."""
    return TrainingProcess(
        [sys.executable, "-m", TRAINING_PROCESS_MODULE],
        encode_training_settings(settings),
        pause_busy_share=settings.training_pause_busy_share,
    )


def encode_training_settings(settings: Settings) -> bytes:
    """What the training process is told: the settings, less every secret, the broker and the database."""
    told = replace(
        settings,
        database_url=_NO_DATABASE,
        broker_url=None,
        service_api_keys=(),
        admin_api_keys=(),
        session_secret=None,
    )
    return msgspec.json.encode(told, enc_hook=_encode_path)


def decode_training_settings(configuration: bytes) -> Settings:
    return msgspec.json.decode(configuration, type=Settings, dec_hook=_decode_path)


def _encode_path(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _decode_path(type_: type, value: object) -> object:
    if type_ is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(f"cannot decode {type_}")
