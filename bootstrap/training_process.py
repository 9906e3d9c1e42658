"""The training process's entry point: `python -m bootstrap.training_process <parent pid>` (see `training_job`).

Nothing that starts a thread is imported before the adapter's loop has tied the process to its parent and lowered
its priority: the settings, the container and torch come after, in `_build`.
"""

from __future__ import annotations

from adapters.outbound.ml.training_process.server import run_training_process
from application.ports.mislabel_detector import MislabelDetector
from application.ports.model_trainer import ModelTrainer


def _build(configuration: bytes) -> tuple[ModelTrainer, MislabelDetector]:
    """The in-process trainer and detector, built from the parent's settings, on `TRAINING_THREADS` threads."""
    from adapters.outbound.ml.framework_imports import import_model_classes
    from adapters.outbound.ml.torch_threads import configure_torch_threads
    from bootstrap.cli import torch_threads_per_process
    from bootstrap.container import build_container
    from bootstrap.logging_setup import configure_logging
    from bootstrap.training_job import decode_training_settings

    settings = decode_training_settings(configuration)
    configure_logging(settings.log_level)
    # Idle priority gets only the CPU time serving leaves, so every core costs serving nothing.
    configure_torch_threads(settings.training_threads or torch_threads_per_process(1))
    import_model_classes()
    container = build_container(settings)
    trainer: ModelTrainer = container.trainer()
    detector: MislabelDetector = container.mislabel_detector()
    return trainer, detector


if __name__ == "__main__":
    run_training_process(_build)
