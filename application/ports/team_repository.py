"""Port: where companies' teams are kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.companies import Team


class TeamRepository(Protocol):
    """Teams of companies, with their stored embeddings.

    Contract: `add` assigns a new id; `get` returns None when absent; `list_for_company` is in id order; the
    embedding reads back exactly as written (every float bit). Writes wait for the unit of work's commit.
    """

    async def get(self, team_id: int) -> Team | None: ...

    async def list_for_company(self, company_id: int) -> Sequence[Team]: ...

    async def add(self, team: Team) -> Team: ...

    async def update(self, team: Team) -> None: ...

    async def delete(self, team_id: int) -> None: ...
