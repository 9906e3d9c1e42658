"""How well the automatic decisions held up once people looked at them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LabelDecisionCounts:
    """For one predicted label: `analyses` predicted it, `automatic` of them were decided `auto`,
    `automatic_with_feedback` of those were later confirmed or corrected, `automatic_corrected` corrected."""

    label: str
    analyses: int
    automatic: int
    automatic_with_feedback: int
    automatic_corrected: int

    @property
    def live_precision(self) -> float | None:
        """1 - corrected / with feedback, among the automatic decisions; None before any feedback."""
        if not self.automatic_with_feedback:
            return None
        return 1.0 - self.automatic_corrected / self.automatic_with_feedback

    @property
    def automatic_share(self) -> float:
        """The coverage: automatic / analyses (0.0 without analyses)."""
        return self.automatic / self.analyses if self.analyses else 0.0
