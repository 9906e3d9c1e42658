"""The stages of one training run: a quick linear model first, then the full hybrid.

A run of the hybrid recipe trains in two stages so a fresh install serves a trained model within minutes: the
TF-IDF linear model is fitted, measured and promoted on its own when it is at least as good as the active model,
then the transformer trains and the hybrid is promoted when it is better again. Each stage is recorded on the run
as metrics["stages"] (JSON, one object per stage, in order); `stages_of` reads them back, skipping what it cannot
read, so a run recorded before stages existed simply has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LINEAR = "linear"
"""The TF-IDF linear model alone: quick to fit, served as soon as it is at least as good as the active model."""
HYBRID = "hybrid"
"""The transformer blended with the linear model; in a two-stage run it reuses the linear stage's fit."""
UPDATE = "update"
"""An update's single stage: the linear model refitted, the served transformer continued on the new tickets and a
replay sample (`domain.training_plan`)."""


@dataclass(frozen=True, slots=True)
class TrainingStage:
    stage: str
    """LINEAR or HYBRID in a two-stage run; a single-stage run names its recipe (e.g. "bert")."""
    model_version_id: int | None = None
    promoted: bool = False
    decision: str | None = None
    accuracy: float | None = None
    macro_f1: float | None = None
    ece: float | None = None
    seconds: float | None = None
    error: str | None = None
    """Why the stage failed; None when it registered a version."""

    def to_json(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "model_version_id": self.model_version_id,
            "promoted": self.promoted,
            "decision": self.decision,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "ece": self.ece,
            "seconds": self.seconds,
            "error": self.error,
        }


def stages_of(metrics: Mapping[str, object]) -> list[TrainingStage]:
    """The stages recorded in a run's metrics, in order; entries that are not readable stage objects are skipped."""
    recorded = metrics.get("stages")
    if not isinstance(recorded, Sequence) or isinstance(recorded, str):
        return []
    return [stage for entry in recorded if isinstance(entry, Mapping) and (stage := _stage(entry)) is not None]


def _stage(entry: Mapping[str, object]) -> TrainingStage | None:
    name = entry.get("stage")
    if not isinstance(name, str):
        return None
    version = entry.get("model_version_id")
    return TrainingStage(
        stage=name,
        model_version_id=version if isinstance(version, int) and not isinstance(version, bool) else None,
        promoted=entry.get("promoted") is True,
        decision=_text(entry.get("decision")),
        accuracy=_number(entry.get("accuracy")),
        macro_f1=_number(entry.get("macro_f1")),
        ece=_number(entry.get("ece")),
        seconds=_number(entry.get("seconds")),
        error=_text(entry.get("error")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
