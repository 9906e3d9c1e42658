"""A training process over the unit tests' fakes: `python -m tests.unit.training_process_child <parent pid>`.

Its configuration frame is JSON: {"store": the model store's folder, "linear_stage": bool, "fail_with": message or
null, "die_in_train": bool, "hang_in_train": bool, "helper": bool}. With "helper", a training first starts a process
of its own (as the mislabel judgement's workers are started) and reports its pid as a "helper" progress update. The
real process setup (`run_training_process`) runs unchanged.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from adapters.outbound.ml.training_process.server import run_training_process
from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from domain.training_runs import TrainingProgress
from tests.unit.fakes import FakeMislabelDetector, FakeTrainer


class ChildTrainer(FakeTrainer):
    """The fake trainer, which can also kill its own process or hang mid-training, and shows the keywords it got."""

    def __init__(self, options: dict[str, Any]) -> None:
        # The test's store, on disk: the versions cross between the test and this process as files.
        super().__init__(FilesystemModelStore(Path(options["store"])))
        # Numbered from its pid, so a later job's child never reuses an earlier one's version names.
        self.count = 1000 * os.getpid()
        self.linear_stage = bool(options.get("linear_stage"))
        self.fail_with = RuntimeError(options["fail_with"]) if options.get("fail_with") else None
        self._die = bool(options.get("die_in_train"))
        self._hang = bool(options.get("hang_in_train"))
        self._helper = bool(options.get("helper"))

    async def train(self, train, validation, labels, warm_starts, on_progress, reuse_linear=None, **keywords):
        on_progress(TrainingProgress("train", 1.0))
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"]) if self._helper else None
        if helper is not None:
            on_progress(TrainingProgress("helper", float(helper.pid)))
        if self._die:
            os.kill(os.getpid(), signal.SIGKILL)
        if self._hang:
            await asyncio.Event().wait()
        model = await super().train(train, validation, labels, warm_starts, on_progress, reuse_linear)
        # Shown as the child got them: typed (an `Example` comes back as its JSON object).
        shown = {
            name: [asdict(v) for v in value] if isinstance(value, list) else value for name, value in keywords.items()
        }
        return replace(model, details={**model.details, "keywords": shown})


def _build(configuration: bytes) -> tuple[ChildTrainer, FakeMislabelDetector]:
    return ChildTrainer(json.loads(configuration)), FakeMislabelDetector()


if __name__ == "__main__":
    run_training_process(_build)
