"""What the models tell us about a ticket, in domain terms."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.decision_thresholds import ThresholdTable

Vector = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    confidence: float


@dataclass(frozen=True, slots=True)
class CategoryPrediction:
    """The winning label, its probability, the runner-ups (best first) and the model that said so.

    `thresholds` are the serving version's per-label decision thresholds, on the same (calibrated) scale as
    `confidence`; None means the model is not calibrated (the zero-shot classifier), so its confidence carries no
    measured precision. `reasons` are the few words of the ticket that pushed most towards `label`, strongest
    first (empty when the model cannot say). `embedding` is the unit-length vector the answering model computed
    for the ticket in the same pass (its fine-tuned encoder's mean-pooled states), or None when it computes none;
    it is comparable only with vectors the same `model_version` computed.
    """

    label: str
    confidence: float
    model_version: str
    alternatives: tuple[LabelScore, ...] = field(default_factory=tuple)
    thresholds: ThresholdTable | None = None
    reasons: tuple[str, ...] = ()
    embedding: Vector | None = None

    @classmethod
    def from_scores(
        cls,
        scores: dict[str, float],
        model_version: str,
        keep: int = 3,
        thresholds: ThresholdTable | None = None,
        reasons: tuple[str, ...] = (),
        embedding: Vector | None = None,
    ) -> CategoryPrediction:
        """Build a prediction from per-label probabilities; ties resolve by label name for determinism."""
        if not scores:
            raise ValueError("a prediction needs at least one label score")
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        best_label, best_score = ranked[0]
        alternatives = tuple(LabelScore(label, float(score)) for label, score in ranked[1 : 1 + keep])
        return cls(best_label, float(best_score), model_version, alternatives, thresholds, reasons, embedding)
