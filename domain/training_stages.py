"""The stages of one training run: a quick linear model first, then the full hybrid.

A run of the hybrid recipe trains in two stages so a fresh install serves a trained model within minutes: the
TF-IDF linear model is fitted, measured and promoted on its own when it is at least as good as the active model,
then the transformer trains and the hybrid is promoted when it is better again. Each stage is recorded in the
run's report (`domain.training_reports.RunReport.stages`); a run recorded before stages existed simply has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.stored_json import JsonObject, count, number, required, text

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

    @classmethod
    def from_json(cls, data: JsonObject) -> TrainingStage:
        """The stage `to_json` wrote; only its name is required (`domain.stored_json.Unreadable` without it)."""
        return cls(
            stage=required(text(data.get("stage")), "stage"),
            model_version_id=count(data.get("model_version_id")),
            promoted=data.get("promoted") is True,
            decision=text(data.get("decision")),
            accuracy=number(data.get("accuracy")),
            macro_f1=number(data.get("macro_f1")),
            ece=number(data.get("ece")),
            seconds=number(data.get("seconds")),
            error=text(data.get("error")),
        )
