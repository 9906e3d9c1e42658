"""Customer companies and the teams that take their tickets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from domain.decision_policy import DecisionPolicy
from domain.errors import InvalidInput
from domain.predictions import Vector
from domain.team_evidence import TeamEvidence

MAX_NAME_LENGTH = 200
MAX_TEAM_DESCRIPTION_LENGTH = 5_000
MAX_TEAM_CATEGORIES = 50


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
    """A team of a company; `embedding` is computed from `embedding_text()` whenever that text changes.

    `category` is the team's main category; `extra_categories` are further categories it owns (a team may take
    several). `evidence` holds the newest tickets people confirmed as this team's (read with the team, never
    written through `TeamRepository.update`).
    """

    id: int | None
    company_id: int
    name: str
    category: str | None
    description: str
    embedding: Vector = ()
    extra_categories: tuple[str, ...] = ()
    evidence: tuple[TeamEvidence, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category the team owns, its main one first (none when it has no main category)."""
        if self.category is None:
            return ()
        return (self.category, *self.extra_categories)

    def owns(self, label: str) -> bool:
        wanted = label.casefold()
        return any(category.casefold() == wanted for category in self.categories)

    def embedding_text(self) -> str:
        # The name and categories carry as much routing signal as the free-text description.
        parts = [self.name, *(self.categories or ("",)), self.description]
        return ". ".join(part.strip() for part in parts if part and part.strip())


def team_categories(
    category: str | None, categories: Sequence[str] | None, field_name: str = "categories"
) -> tuple[str | None, tuple[str, ...]]:
    """A team's main category and its extra ones from a caller's `category` and `categories`: the main one is
    `category`, else the first of `categories`; the rest are the extra ones (duplicates, case-insensitive, and
    blanks dropped)."""
    if categories is not None and len(categories) > MAX_TEAM_CATEGORIES:
        raise InvalidInput(field_name, f"must hold at most {MAX_TEAM_CATEGORIES} categories")
    listed: list[str] = []
    for index, value in enumerate(categories or ()):
        text = optional_text(value, f"{field_name}[{index}]", MAX_NAME_LENGTH)
        if text and all(text.casefold() != seen.casefold() for seen in listed):
            listed.append(text)
    main = category or (listed[0] if listed else None)
    if main is None:
        return None, ()
    return main, tuple(text for text in listed if text.casefold() != main.casefold())


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
