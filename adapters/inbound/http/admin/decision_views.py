"""What the pages say about an analysis's decisions: why a category was or was not decided automatically, and the
ticket text with the words behind the prediction marked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.decisions import CategoryReason

CATEGORY_REASON_EXPLAINED = {
    CategoryReason.HUMAN_LABEL: "a person labelled this exact text before",
    CategoryReason.ABOVE_THRESHOLD: "the confidence reached the label's threshold for the company's target precision",
    CategoryReason.BELOW_THRESHOLD: "the confidence is below the label's threshold for the company's target precision",
    CategoryReason.NEVER_AUTOMATIC: "the label reaches the company's target precision at no confidence",
    CategoryReason.UNCALIBRATED_MODEL: "the model has no measured precision, and the company does not trust it",
    CategoryReason.TRUSTED_UNCALIBRATED: "the model has no measured precision, but the company trusts it",
    CategoryReason.RECOMMEND_MODE: "the company only wants categories suggested",
    CategoryReason.MONITOR_MODE: "the company only monitors categories: they are not answered",
}


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the ticket text; `reason` when it is one of the words behind the prediction."""

    text: str
    reason: bool = False


def marked_reasons(text: str, reasons: Iterable[str]) -> list[Segment]:
    """`text` cut into segments, the reason words (whole words, any case, longest first) marked. The template
    escapes each segment, so nothing here builds HTML."""
    words = sorted({word.strip() for word in reasons if word.strip()}, key=lambda word: (-len(word), word))
    if not words:
        return [Segment(text)] if text else []
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE)
    segments: list[Segment] = []
    start = 0
    for match in pattern.finditer(text):
        if match.start() > start:
            segments.append(Segment(text[start : match.start()]))
        segments.append(Segment(match.group(0), reason=True))
        start = match.end()
    if start < len(text):
        segments.append(Segment(text[start:]))
    return segments


def known_labels(*groups: Sequence[str] | Iterable[str]) -> list[str]:
    """The labels of all groups once each (case-insensitively, first spelling kept), sorted case-insensitively."""
    seen: dict[str, str] = {}
    for group in groups:
        for label in group:
            if label and label.strip():
                seen.setdefault(label.strip().casefold(), label.strip())
    return sorted(seen.values(), key=lambda label: (label.casefold(), label))
