"""One analysed ticket, as the service answered it and as it is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput
from domain.predictions import CategoryPrediction
from domain.priority import Priority
from domain.routing import TeamAssignment

DEFAULT_MAX_DESCRIPTION_LENGTH = 10_000


@dataclass(frozen=True, slots=True)
class TicketRequest:
    """A validated request to analyse a ticket."""

    description: str
    company_id: int

    @classmethod
    def validated(cls, description: object, company_id: object, max_length: int) -> TicketRequest:
        if description is None:
            raise InvalidInput("description", "is required")
        if not isinstance(description, str):
            raise InvalidInput("description", "must be a string")
        if not description.strip():
            raise InvalidInput("description", "must not be empty or whitespace only")
        if len(description) > max_length:
            raise InvalidInput("description", f"must be at most {max_length} characters (got {len(description)})")
        if company_id is None:
            raise InvalidInput("company_id", "is required")
        if isinstance(company_id, bool) or not isinstance(company_id, int):
            raise InvalidInput("company_id", "must be an integer")
        if company_id <= 0:
            raise InvalidInput("company_id", "must be a positive integer")
        return cls(description, company_id)


@dataclass(frozen=True, slots=True)
class TicketAnalysis:
    """Everything one analysis produced; a disabled step leaves its field None."""

    company_id: int
    description: str
    category: CategoryPrediction | None
    priority: Priority | None
    polarity: float | None
    assignment: TeamAssignment | None
    model_version: str | None
    created_at: datetime
    id: int | None = None
