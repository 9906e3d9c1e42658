"""A person's label for one exact ticket text of one company: it answers later analyses of the same text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


def text_hash(text: str) -> str:
    """The sha256 hex digest of the exact text (UTF-8, nothing stripped or folded): identical text, same hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class HumanLabel:
    """The latest category a person gave the text with hash `text_hash` for `company_id`, and the labelled
    ticket that holds it."""

    company_id: int
    text_hash: str
    category: str
    labelled_ticket_id: int
    created_at: datetime
