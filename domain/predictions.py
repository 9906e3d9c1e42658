"""What the models tell us about a ticket, in domain terms."""

from __future__ import annotations

from dataclasses import dataclass, field

Vector = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    confidence: float


@dataclass(frozen=True, slots=True)
class CategoryPrediction:
    """The winning label, its probability, the runner-ups (best first) and the model that said so."""

    label: str
    confidence: float
    model_version: str
    alternatives: tuple[LabelScore, ...] = field(default_factory=tuple)

    @classmethod
    def from_scores(cls, scores: dict[str, float], model_version: str, keep: int = 3) -> CategoryPrediction:
        """Build a prediction from per-label probabilities; ties resolve by label name for determinism."""
        if not scores:
            raise ValueError("a prediction needs at least one label score")
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        best_label, best_score = ranked[0]
        alternatives = tuple(LabelScore(label, float(score)) for label, score in ranked[1 : 1 + keep])
        return cls(best_label, float(best_score), model_version, alternatives)
