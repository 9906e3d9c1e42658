"""Errors the domain and the use cases raise; adapters translate them to their protocol."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every expected, user-facing failure."""


class InvalidInput(DomainError):
    """A value given by a caller breaks a rule; `field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(DomainError):
    """A referenced entity does not exist."""

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"{entity} {entity_id} not found")
        self.entity = entity
        self.entity_id = entity_id


class CompanyNotFound(NotFound):
    def __init__(self, company_id: int) -> None:
        super().__init__("Company", company_id)


class TeamNotFound(NotFound):
    def __init__(self, team_id: int) -> None:
        super().__init__("Team", team_id)


class Conflict(DomainError):
    """The request clashes with the current state (for example a training already running)."""


class StorageUnavailable(Exception):
    """The database cannot be reached; adapters raise it so callers can answer 503."""


class JobQueueUnavailable(Exception):
    """The job queue refused or could not take a job."""


class InvalidCredentials(DomainError):
    """Wrong username or password; deliberately does not say which."""

    def __init__(self) -> None:
        super().__init__("Wrong username or password.")


class LoginThrottled(DomainError):
    """Too many failed logins: no password is checked until `retry_after_s` seconds have passed."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many failed logins; try again in {retry_after_s} seconds.")
        self.retry_after_s = retry_after_s
