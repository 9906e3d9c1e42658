"""The promotion rule: a newly trained version replaces the active one only if it is at least as good.

Both are scored on the same test split; macro-F1 decides, accuracy breaks a tie, and a tie promotes (so a retraining
on more data wins when it is no worse). With no active model the candidate is promoted. The decision carries the
sentence recorded on the run and the version, so an operator can read why.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.metrics import EvaluationReport, at_least_as_good


@dataclass(frozen=True, slots=True)
class Incumbent:
    """The active version and its evaluation on the candidate's test split."""

    name: str
    report: EvaluationReport


@dataclass(frozen=True, slots=True)
class PromotionDecision:
    promote: bool
    reason: str


def decide_promotion(candidate: EvaluationReport, incumbent: Incumbent | None) -> PromotionDecision:
    scores = f"macro-F1 {candidate.macro_f1:.4f}, accuracy {candidate.accuracy:.4f}"
    if incumbent is None:
        return PromotionDecision(True, f"promoted: no active model; candidate {scores}")
    active = incumbent.report
    promote = at_least_as_good(candidate, active)
    versus = f"active {incumbent.name} macro-F1 {active.macro_f1:.4f}, accuracy {active.accuracy:.4f}"
    verdict = "promoted: at least as good as" if promote else "kept the active model: candidate is worse than"
    return PromotionDecision(promote, f"{verdict} {versus} (candidate {scores}, same test split)")
