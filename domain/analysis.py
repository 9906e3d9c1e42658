"""One analysed ticket, as the service answered it and as it is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.decisions import CategoryReason, Decision
from domain.errors import InvalidInput
from domain.predictions import CategoryPrediction
from domain.priority import Priority
from domain.routing import TeamAssignment
from domain.similar_tickets import SimilarTicket, StoredVector, TextVector


@dataclass(frozen=True, slots=True)
class TicketRequest:
    """A validated request to analyse a ticket."""

    description: str
    company_id: int

    @classmethod
    def validated(cls, description: str, company_id: int, max_length: int) -> TicketRequest:
        """Checks what the values mean; their types are the caller's (the HTTP edge's) to guarantee."""
        if not description.strip():
            raise InvalidInput("description", "must not be empty or whitespace only")
        if len(description) > max_length:
            raise InvalidInput("description", f"must be at most {max_length} characters (got {len(description)})")
        if company_id <= 0:
            raise InvalidInput("company_id", "must be a positive integer")
        return cls(description, company_id)


@dataclass(frozen=True, slots=True)
class AnalysisDecisions:
    """What was decided about an analysis's category and team, and whether a person still has to look.

    `category` / `team` are None where the field was off (its company flag disabled). `suggested_team_id` is the
    team the routing chose, assigned or not. `review_pending` is true while a decision of a field that is not
    monitored is `review` and no person has confirmed or corrected the analysis.
    `category_answered` / `team_answered` say whether the field appeared in the answer (False in `monitor`
    mode); they are not stored: a read-back analysis knows a monitored category by its reason only.
    """

    category: Decision | None = None
    category_reason: CategoryReason | None = None
    team: Decision | None = None
    suggested_team_id: int | None = None
    review_pending: bool = False
    category_answered: bool = True
    team_answered: bool = True


@dataclass(frozen=True, slots=True)
class TicketAnalysis:
    """Everything one analysis produced; a disabled step leaves its field None.

    `assignment` is the assignment as answered: a team is assigned only when the team decision is `auto`; the
    routed team is `decisions.suggested_team_id` in every case.
    """

    company_id: int
    description: str
    category: CategoryPrediction | None
    priority: Priority | None
    polarity: float | None
    assignment: TeamAssignment | None
    model_version: str | None
    created_at: datetime
    id: int | None = None
    decisions: AnalysisDecisions = AnalysisDecisions()
    text_vector: TextVector | None = None
    """The ticket's vector, stored beside the analysis for similar-ticket search (not read back with it)."""
    similar_tickets: tuple[SimilarTicket, ...] | None = None
    """Earlier tickets of the company close to this one, closest first; None when the company turned them off."""
    possible_duplicate_of: SimilarTicket | None = None

    def stored_vector(self) -> StoredVector | None:
        """The row a similar-ticket search will find this analysis by, once it has an id and a vector: its
        category (marked when a person gave it) and its team (assigned, else suggested)."""
        if self.id is None or self.text_vector is None:
            return None
        assignment = self.assignment
        team_id = assignment.assigned_team_id if assignment is not None else None
        return StoredVector(
            company_id=self.company_id,
            model_version=self.text_vector.model_version,
            vector=self.text_vector.vector,
            created_at=self.created_at,
            analysis_id=self.id,
            category=self.category.label if self.category is not None else None,
            label_is_human=self.decisions.category_reason is CategoryReason.HUMAN_LABEL,
            team_id=team_id if team_id is not None else self.decisions.suggested_team_id,
        )


@dataclass(frozen=True, slots=True)
class AnalysisFilter:
    """Which analyses to list; None leaves a criterion out. `created_from` is inclusive, `created_before` not."""

    company_id: int | None = None
    category: str | None = None
    priority: Priority | None = None
    need_admin: bool | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None

    def matches(self, analysis: TicketAnalysis) -> bool:
        """The rule in plain Python; SQL repositories express the same conditions as a WHERE clause."""
        label = analysis.category.label if analysis.category else None
        need_admin = analysis.assignment.need_admin if analysis.assignment else None
        return (
            (self.company_id is None or analysis.company_id == self.company_id)
            and (self.category is None or (label is not None and label.casefold() == self.category.casefold()))
            and (self.priority is None or analysis.priority is self.priority)
            and (self.need_admin is None or need_admin is self.need_admin)
            and (self.created_from is None or analysis.created_at >= self.created_from)
            and (self.created_before is None or analysis.created_at < self.created_before)
        )
