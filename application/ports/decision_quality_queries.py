"""Port: how the recorded decisions fared against what people later said."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.decision_quality import LabelDecisionCounts


class DecisionQualityQueries(Protocol):
    """Reads only. Contract: one line per predicted category among the stored analyses (analyses without a
    category are left out), sorted by label; `automatic` counts those whose category decision is `auto`;
    `automatic_with_feedback` those of them linked to a labelled ticket (feedback, superseded ones do not
    count since the link points at the latest); `automatic_corrected` those whose linked ticket's category
    differs from the predicted one (exact comparison)."""

    async def per_label(self) -> Sequence[LabelDecisionCounts]: ...
