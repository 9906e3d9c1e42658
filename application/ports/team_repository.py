"""Port: where companies' teams are kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.companies import Team
from domain.team_evidence import TeamEvidence


class TeamRepository(Protocol):
    """Teams of companies, with their stored embeddings, extra categories and evidence.

    Contract: `add` assigns a new id; `get` returns None when absent; `list_for_company` is in id order; the
    embedding reads back exactly as written (every float bit). `get` and `list_for_company` carry each team's
    evidence, oldest first; `add` and `update` never write evidence (a team's evidence is kept across updates);
    `add_evidence` appends one item and keeps only the newest `keep` of that team. Writes wait for the unit of
    work's commit.
    """

    async def get(self, team_id: int) -> Team | None: ...

    async def list_for_company(self, company_id: int) -> Sequence[Team]: ...

    async def add(self, team: Team) -> Team: ...

    async def update(self, team: Team) -> None: ...

    async def delete(self, team_id: int) -> None: ...

    async def add_evidence(self, team_id: int, company_id: int, evidence: TeamEvidence, keep: int) -> None: ...
