"""Port: where companies are kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.companies import Company


class CompanyRepository(Protocol):
    """Companies by id.

    Contract: `add` assigns a new id and returns the stored company; `get` returns None when absent; `list` is in
    id order; `update` replaces the name, flags and decision policy of an existing company. Writes are staged in the
    caller's unit of work and become durable only when it commits.
    """

    async def get(self, company_id: int) -> Company | None: ...

    async def list(self) -> Sequence[Company]: ...

    async def add(self, company: Company) -> Company: ...

    async def update(self, company: Company) -> None: ...

    async def delete(self, company_id: int) -> None:
        """Deletes the company and its teams; analyses keep their company id for history."""
        ...
