"""Tickets whose final category an agent confirmed: the training data."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput
from domain.priority import Priority

MAX_LABEL_LENGTH = 100
MAX_SOURCE_LENGTH = 50


class TicketStatus(str, enum.Enum):
    """`active`: trained on; `superseded`: a later feedback on the same analysis replaced it (kept as history);
    `excluded`: an admin took it out of training."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"
    EXCLUDED = "excluded"


@dataclass(frozen=True, slots=True)
class LabelledTicket:
    """A ticket text and the category a person gave it. Only `active` tickets are trained on.

    `company_id` is the company whose analysis the feedback was about (None for imported tickets);
    `status_changed_by` / `status_changed_at`: who gave the status and when (for feedback, who gave it).
    """

    text: str
    category: str
    source: str
    created_at: datetime
    priority: Priority | None = None
    team_id: int | None = None
    id: int | None = None
    company_id: int | None = None
    status: TicketStatus = TicketStatus.ACTIVE
    status_changed_by: str | None = None
    status_changed_at: datetime | None = None

    @classmethod
    def validated(
        cls,
        text: object,
        category: object,
        source: object,
        created_at: datetime,
        priority: object = None,
        team_id: object = None,
        *,
        max_text_length: int,
        field_prefix: str = "",
    ) -> LabelledTicket:
        """Checks every field; `field_prefix` (e.g. "tickets[3].") makes errors point into a batch.

        The text is kept exactly as given (emptiness is judged without surrounding blanks): it is the training data,
        and a leading tab or blank is part of what the agent labelled. Category and source are trimmed.
        """
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput(f"{field_prefix}text", "must be a non-empty string")
        if len(text) > max_text_length:
            raise InvalidInput(f"{field_prefix}text", f"must be at most {max_text_length} characters")
        if not isinstance(category, str) or not category.strip():
            raise InvalidInput(f"{field_prefix}category", "must be a non-empty string")
        if len(category.strip()) > MAX_LABEL_LENGTH:
            raise InvalidInput(f"{field_prefix}category", f"must be at most {MAX_LABEL_LENGTH} characters")
        if not isinstance(source, str) or not source.strip() or len(source) > MAX_SOURCE_LENGTH:
            raise InvalidInput(
                f"{field_prefix}source", f"must be a non-empty string of at most {MAX_SOURCE_LENGTH} characters"
            )
        parsed_priority = None
        if priority is not None:
            try:
                parsed_priority = Priority(priority)
            except ValueError:
                raise InvalidInput(f"{field_prefix}priority", "must be one of high, medium, low") from None
        if team_id is not None and (isinstance(team_id, bool) or not isinstance(team_id, int) or team_id <= 0):
            raise InvalidInput(f"{field_prefix}team_id", "must be a positive integer")
        return cls(text, category.strip(), source.strip(), created_at, parsed_priority, team_id)
