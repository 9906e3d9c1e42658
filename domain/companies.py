"""Customer companies and the teams that take their tickets."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from domain.decision_policy import DecisionPolicy
from domain.errors import InvalidInput
from domain.predictions import Vector

MAX_NAME_LENGTH = 200
MAX_TEAM_DESCRIPTION_LENGTH = 5_000


@dataclass(frozen=True, slots=True)
class CompanyFlags:
    """Which parts of the analysis a company wants; a disabled part is skipped and answered with null."""

    auto_categorize: bool = True
    auto_prioritize: bool = True
    auto_assign: bool = True
    similar_tickets: bool = True
    """Answers carry similar earlier tickets of the company and a possible duplicate (`domain.similar_tickets`)."""


@dataclass(frozen=True, slots=True)
class Company:
    id: int | None
    name: str
    flags: CompanyFlags = field(default_factory=CompanyFlags)
    policy: DecisionPolicy = field(default_factory=DecisionPolicy)
    """How the company uses the predictions: per field autofill/recommend/monitor, and its target precision."""

    def renamed(self, name: str) -> Company:
        return replace(self, name=require_name(name, "name"))


@dataclass(frozen=True, slots=True)
class Team:
    """A team of a company; `embedding` is computed from `embedding_text()` whenever that text changes."""

    id: int | None
    company_id: int
    name: str
    category: str | None
    description: str
    embedding: Vector = ()

    def embedding_text(self) -> str:
        # The name and category carry as much routing signal as the free-text description.
        parts = [self.name, self.category or "", self.description]
        return ". ".join(part.strip() for part in parts if part and part.strip())


def require_name(value: object, field_name: str, max_length: int = MAX_NAME_LENGTH) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field_name, "must be a non-empty string")
    if len(value) > max_length:
        raise InvalidInput(field_name, f"must be at most {max_length} characters")
    return value.strip()


def optional_text(value: object, field_name: str, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(field_name, "must be a string")
    if len(value) > max_length:
        raise InvalidInput(field_name, f"must be at most {max_length} characters")
    return value.strip()
