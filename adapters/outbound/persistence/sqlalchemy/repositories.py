"""Repositories over Core tables. They stage writes in the caller's transaction and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.sqlalchemy.tables import (
    TRAINING_STATE_ID,
    admin_users,
    analyses,
    companies,
    labelled_tickets,
    login_failures,
    model_versions,
    teams,
    training_runs,
    training_state,
)
from domain.admin_users import AdminRole, AdminUser
from domain.analysis import AnalysisFilter, TicketAnalysis
from domain.companies import Company, CompanyFlags, Team
from domain.errors import Conflict
from domain.labelled_tickets import LabelledTicket
from domain.login_throttle import RecentFailures
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction, LabelScore
from domain.priority import Priority
from domain.routing import RoutingReason, TeamAssignment
from domain.training import TrainingState
from domain.training_runs import RunStatus, TrainingProgress, TrainingRun

INSERT_BATCH_ROWS = 1_000
"""Rows per multi-row INSERT of labelled tickets (SQLAlchemy's insertmanyvalues page size is the same)."""

INSERT_BATCH_BYTES = 4 * 1024 * 1024
"""Text bytes per multi-row INSERT: stays well below MariaDB's default 16 MiB max_allowed_packet even when
every ticket is long."""


class SqlAlchemyCompanyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, company_id: int) -> Company | None:
        row = (await self._session.execute(sa.select(companies).where(companies.c.id == company_id))).first()
        return _company(row) if row is not None else None

    async def list(self) -> Sequence[Company]:
        rows = await self._session.execute(sa.select(companies).order_by(companies.c.id))
        return [_company(row) for row in rows]

    async def add(self, company: Company) -> Company:
        result = await self._session.execute(sa.insert(companies).values(name=company.name, **_flags(company.flags)))
        return Company(_inserted_id(result), company.name, company.flags)

    async def update(self, company: Company) -> None:
        await self._session.execute(
            sa.update(companies).where(companies.c.id == company.id).values(name=company.name, **_flags(company.flags))
        )

    async def delete(self, company_id: int) -> None:
        """Deletes the teams explicitly too, so the cascade does not depend on SQLite's foreign_keys pragma."""
        await self._session.execute(sa.delete(teams).where(teams.c.company_id == company_id))
        await self._session.execute(sa.delete(companies).where(companies.c.id == company_id))


class SqlAlchemyTeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team_id: int) -> Team | None:
        row = (await self._session.execute(sa.select(teams).where(teams.c.id == team_id))).first()
        return _team(row) if row is not None else None

    async def list_for_company(self, company_id: int) -> Sequence[Team]:
        rows = await self._session.execute(
            sa.select(teams).where(teams.c.company_id == company_id).order_by(teams.c.id)
        )
        return [_team(row) for row in rows]

    async def add(self, team: Team) -> Team:
        result = await self._session.execute(sa.insert(teams).values(company_id=team.company_id, **_team_values(team)))
        return Team(_inserted_id(result), team.company_id, team.name, team.category, team.description, team.embedding)

    async def update(self, team: Team) -> None:
        await self._session.execute(sa.update(teams).where(teams.c.id == team.id).values(**_team_values(team)))

    async def delete(self, team_id: int) -> None:
        await self._session.execute(sa.delete(teams).where(teams.c.id == team_id))


class SqlAlchemyAnalysisRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, analysis: TicketAnalysis) -> TicketAnalysis:
        result = await self._session.execute(sa.insert(analyses).values(**_analysis_values(analysis)))
        return replace(analysis, id=_inserted_id(result))

    async def get(self, analysis_id: int) -> TicketAnalysis | None:
        row = (await self._session.execute(sa.select(analyses).where(analyses.c.id == analysis_id))).first()
        return _analysis(row) if row is not None else None

    async def count(self) -> int:
        return int((await self._session.execute(sa.select(sa.func.count()).select_from(analyses))).scalar_one())

    async def link_feedback(self, analysis_id: int, labelled_ticket_id: int) -> None:
        """A later feedback replaces the link, as in the fake; a missing analysis is a no-op (callers check)."""
        await self._session.execute(
            sa.update(analyses).where(analyses.c.id == analysis_id).values(labelled_ticket_id=labelled_ticket_id)
        )

    async def feedback_ticket_id(self, analysis_id: int) -> int | None:
        statement = sa.select(analyses.c.labelled_ticket_id).where(analyses.c.id == analysis_id)
        found = (await self._session.execute(statement)).scalar_one_or_none()
        return int(found) if found is not None else None

    async def count_since(self, moment: datetime) -> int:
        statement = sa.select(sa.func.count()).select_from(analyses).where(analyses.c.created_at >= moment)
        return int((await self._session.execute(statement)).scalar_one())

    async def list_page(self, criteria: AnalysisFilter, offset: int, limit: int) -> Sequence[TicketAnalysis]:
        statement = (
            sa.select(analyses).where(*_analysis_conditions(criteria)).order_by(analyses.c.id.desc()).offset(offset).limit(limit)
        )
        return [_analysis(row) for row in await self._session.execute(statement)]

    async def count_matching(self, criteria: AnalysisFilter) -> int:
        statement = sa.select(sa.func.count()).select_from(analyses).where(*_analysis_conditions(criteria))
        return int((await self._session.execute(statement)).scalar_one())


class SqlAlchemyLabelledTicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_many(self, tickets: Sequence[LabelledTicket]) -> list[LabelledTicket]:
        """One multi-row INSERT ... RETURNING id per batch (MariaDB >= 10.5, SQLite >= 3.35).

        A multi-row INSERT stores its rows in VALUES order and an auto-increment id only grows (InnoDB's
        counter; SQLite's max(rowid) + 1 under the write lock the transaction holds), so the ascending ids
        belong to the tickets in order. The returned ids are sorted because neither database promises
        RETURNING's row order. SQLAlchemy's `sort_by_parameter_order` does the same on MariaDB but on SQLite
        it falls back to one INSERT per row, hence the explicit sort.
        """
        stored: list[LabelledTicket] = []
        statement = sa.insert(labelled_tickets).returning(labelled_tickets.c.id)
        for batch in _batches(tickets):
            result = await self._session.execute(statement, [_labelled_ticket_values(ticket) for ticket in batch])
            ids = sorted(int(ticket_id) for ticket_id in result.scalars().all())
            if len(ids) != len(batch):
                raise RuntimeError(f"the database returned {len(ids)} ids for {len(batch)} inserted tickets")
            stored.extend(replace(ticket, id=ticket_id) for ticket, ticket_id in zip(batch, ids, strict=True))
        return stored

    async def get(self, ticket_id: int) -> LabelledTicket | None:
        row = (
            await self._session.execute(sa.select(labelled_tickets).where(labelled_tickets.c.id == ticket_id))
        ).first()
        return _labelled_ticket(row) if row is not None else None

    async def count(self) -> int:
        statement = sa.select(sa.func.count()).select_from(labelled_tickets)
        return int((await self._session.execute(statement)).scalar_one())

    async def newest_id(self) -> int | None:
        newest = (await self._session.execute(sa.select(sa.func.max(labelled_tickets.c.id)))).scalar_one()
        return int(newest) if newest is not None else None

    async def list_page(self, offset: int, limit: int) -> Sequence[LabelledTicket]:
        statement = sa.select(labelled_tickets).order_by(labelled_tickets.c.id.desc()).offset(offset).limit(limit)
        return [_labelled_ticket(row) for row in await self._session.execute(statement)]

    async def all_for_training(self) -> Sequence[LabelledTicket]:
        statement = sa.select(labelled_tickets).order_by(labelled_tickets.c.id)
        return [_labelled_ticket(row) for row in await self._session.execute(statement)]


class SqlAlchemyTrainingRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, run: TrainingRun) -> TrainingRun:
        result = await self._session.execute(sa.insert(training_runs).values(**_training_run_values(run)))
        return replace(run, id=_inserted_id(result))

    async def get(self, run_id: int) -> TrainingRun | None:
        row = (await self._session.execute(sa.select(training_runs).where(training_runs.c.id == run_id))).first()
        return _training_run(row) if row is not None else None

    async def update(self, run: TrainingRun) -> None:
        await self._session.execute(
            sa.update(training_runs).where(training_runs.c.id == run.id).values(**_training_run_values(run))
        )

    async def list_recent(self, limit: int) -> Sequence[TrainingRun]:
        statement = sa.select(training_runs).order_by(training_runs.c.id.desc()).limit(limit)
        return [_training_run(row) for row in await self._session.execute(statement)]

    async def last_succeeded(self) -> TrainingRun | None:
        statement = (
            sa.select(training_runs)
            .where(training_runs.c.status == RunStatus.SUCCEEDED.value)
            .order_by(training_runs.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(statement)).first()
        return _training_run(row) if row is not None else None


class SqlAlchemyModelVersionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, version: ModelVersion) -> ModelVersion:
        result = await self._session.execute(sa.insert(model_versions).values(**_model_version_values(version)))
        return replace(version, id=_inserted_id(result))

    async def get(self, version_id: int) -> ModelVersion | None:
        row = (await self._session.execute(sa.select(model_versions).where(model_versions.c.id == version_id))).first()
        return _model_version(row) if row is not None else None

    async def list(self) -> Sequence[ModelVersion]:
        statement = sa.select(model_versions).order_by(model_versions.c.id.desc())
        return [_model_version(row) for row in await self._session.execute(statement)]

    async def active(self) -> ModelVersion | None:
        """The ACTIVE version; should inconsistent data hold several, the most recently activated one."""
        c = model_versions.c
        statement = (
            sa.select(model_versions)
            .where(c.status == ModelStatus.ACTIVE.value)
            .order_by(c.activated_at.is_(None), c.activated_at.desc(), c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(statement)).first()
        return _model_version(row) if row is not None else None

    async def update(self, version: ModelVersion) -> None:
        await self._session.execute(
            sa.update(model_versions).where(model_versions.c.id == version.id).values(**_model_version_values(version))
        )


class SqlAlchemyTrainingStateRepository:
    """Each change is one UPDATE on the single row, so the database's row lock makes it atomic across processes.

    The row is created on demand when missing (the migration inserts it); `get` never writes.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self) -> TrainingState:
        row = (await self._session.execute(sa.select(training_state).where(_the_row()))).first()
        if row is None:
            return TrainingState(0, False, None, None, None)
        return TrainingState(
            analyses_since_trigger=row.analyses_since_trigger,
            running=bool(row.running),
            running_since=row.running_since,
            last_triggered_at=row.last_triggered_at,
            last_error=row.last_error,
        )

    async def count_analysis(self) -> int:
        """Increments in the database and reads back in the same transaction, which holds the row lock."""
        counter = training_state.c.analyses_since_trigger
        await self._update(sa.update(training_state).where(_the_row()).values(analyses_since_trigger=counter + 1))
        return int((await self._session.execute(sa.select(counter).where(_the_row()))).scalar_one())

    async def claim(self, now: datetime, threshold: int | None, stale_before: datetime) -> bool:
        """One conditional UPDATE: of concurrent claimers, the database lets exactly one match the row.

        A threshold claim subtracts the threshold, in the same UPDATE, rather than resetting to 0: analyses
        counted by others between a caller's increment and its claim stay counted toward the next trigger.
        A manual claim (no threshold) resets the counter to 0.
        """
        c = training_state.c
        condition = sa.and_(
            _the_row(),
            sa.or_(c.running == sa.false(), c.running_since.is_(None), c.running_since < stale_before),
        )
        counter: Any = 0
        if threshold is not None:
            condition = sa.and_(condition, c.analyses_since_trigger >= threshold)
            counter = c.analyses_since_trigger - threshold
        statement = (
            sa.update(training_state)
            .where(condition)
            .values(analyses_since_trigger=counter, running=True, running_since=now, last_triggered_at=now)
        )
        return await self._update(statement) == 1

    async def release(self, error: str | None) -> None:
        values: dict[str, Any] = {"running": False, "running_since": None}
        if error is not None:
            values["last_error"] = error
        await self._update(sa.update(training_state).where(_the_row()).values(**values))

    async def record_error(self, error: str) -> None:
        await self._update(sa.update(training_state).where(_the_row()).values(last_error=error))

    async def _update(self, statement: sa.Update) -> int:
        """Runs the UPDATE; if it matched nothing because the row is missing, creates the row and runs it again.

        The insert is only attempted when the row is absent: an INSERT IGNORE on an existing row would take a
        shared lock before the UPDATE's exclusive one, which deadlocks concurrent InnoDB transactions.
        """
        matched = _rowcount(await self._session.execute(statement))
        if matched == 0 and not await self._row_exists():
            await self._insert_row_if_missing()
            matched = _rowcount(await self._session.execute(statement))
        return matched

    async def _row_exists(self) -> bool:
        found = await self._session.execute(sa.select(training_state.c.id).where(_the_row()))
        return found.first() is not None

    async def _insert_row_if_missing(self) -> None:
        values = {"id": TRAINING_STATE_ID, "analyses_since_trigger": 0, "running": False}
        dialect = (await self._session.connection()).dialect.name
        statement: sa.Executable
        if dialect == "sqlite":
            statement = sqlite_insert(training_state).values(values).on_conflict_do_nothing()
        elif dialect in ("mysql", "mariadb"):
            statement = mysql_insert(training_state).values(values).prefix_with("IGNORE")
        else:
            statement = sa.insert(training_state).values(values)
        await self._session.execute(statement)


class SqlAlchemyAdminUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> AdminUser | None:
        row = (await self._session.execute(sa.select(admin_users).where(admin_users.c.id == user_id))).first()
        return _admin_user(row) if row is not None else None

    async def get_by_username(self, username: str) -> AdminUser | None:
        statement = sa.select(admin_users).where(admin_users.c.username == username)
        row = (await self._session.execute(statement)).first()
        return _admin_user(row) if row is not None else None

    async def add(self, user: AdminUser) -> AdminUser:
        """The unique index settles a race between two creators; the loser gets Conflict, not a driver error."""
        try:
            async with self._session.begin_nested():
                result = await self._session.execute(sa.insert(admin_users).values(**_admin_user_values(user)))
        except sa.exc.IntegrityError:
            raise Conflict(f"an admin user named {user.username!r} already exists") from None
        return replace(user, id=_inserted_id(result))

    async def update(self, user: AdminUser) -> None:
        await self._session.execute(
            sa.update(admin_users).where(admin_users.c.id == user.id).values(**_admin_user_values(user))
        )

    async def count(self) -> int:
        return int((await self._session.execute(sa.select(sa.func.count()).select_from(admin_users))).scalar_one())


class SqlAlchemyLoginFailureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, key: str, at: datetime) -> None:
        await self._session.execute(sa.insert(login_failures).values(throttle_key=key, failed_at=at))

    async def recent(self, key: str, since: datetime) -> RecentFailures:
        c = login_failures.c
        statement = sa.select(sa.func.count(), sa.func.max(c.failed_at)).where(c.throttle_key == key, c.failed_at >= since)
        count, last_at = (await self._session.execute(statement)).one()
        return RecentFailures(int(count), last_at)

    async def clear(self, key: str) -> None:
        await self._session.execute(sa.delete(login_failures).where(login_failures.c.throttle_key == key))

    async def prune(self, before: datetime) -> None:
        await self._session.execute(sa.delete(login_failures).where(login_failures.c.failed_at < before))


def _the_row() -> sa.ColumnElement[bool]:
    condition: sa.ColumnElement[bool] = training_state.c.id == TRAINING_STATE_ID
    return condition


def _rowcount(result: sa.Result[Any]) -> int:
    """Rows matched: the MySQL dialects set CLIENT_FOUND_ROWS, so unchanged-but-matched rows count too."""
    return cast(CursorResult[Any], result).rowcount


def _inserted_id(result: sa.Result[Any]) -> int:
    key = cast(CursorResult[Any], result).inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("the database did not report the inserted id")
    return int(key[0])


def _flags(flags: CompanyFlags) -> dict[str, bool]:
    return {
        "auto_categorize": flags.auto_categorize,
        "auto_prioritize": flags.auto_prioritize,
        "auto_assign": flags.auto_assign,
    }


def _company(row: sa.Row[Any]) -> Company:
    flags = CompanyFlags(bool(row.auto_categorize), bool(row.auto_prioritize), bool(row.auto_assign))
    return Company(row.id, row.name, flags)


def _team_values(team: Team) -> dict[str, Any]:
    return {
        "name": team.name,
        "category": team.category,
        "description": team.description,
        "embedding": [float(x) for x in team.embedding],
    }


def _team(row: sa.Row[Any]) -> Team:
    embedding = tuple(float(x) for x in row.embedding or ())
    return Team(row.id, row.company_id, row.name, row.category, row.description, embedding)


def _analysis_values(analysis: TicketAnalysis) -> dict[str, Any]:
    category = analysis.category
    assignment = analysis.assignment
    return {
        "company_id": analysis.company_id,
        "description": analysis.description,
        "category": category.label if category else None,
        "category_confidence": category.confidence if category else None,
        "category_alternatives": (
            [{"label": alt.label, "confidence": alt.confidence} for alt in category.alternatives] if category else None
        ),
        "priority": analysis.priority.value if analysis.priority is not None else None,
        "polarity": analysis.polarity,
        "assigned_team_id": assignment.assigned_team_id if assignment else None,
        "need_admin": assignment.need_admin if assignment else None,
        "similarity_score": assignment.similarity_score if assignment else None,
        "routing_reason": assignment.reason.value if assignment else None,
        "model_version": analysis.model_version,
        "created_at": analysis.created_at,
    }


def _batches(tickets: Sequence[LabelledTicket]) -> list[Sequence[LabelledTicket]]:
    """Consecutive slices of at most INSERT_BATCH_ROWS tickets and (unless one ticket alone is larger)
    INSERT_BATCH_BYTES of text."""
    batches: list[Sequence[LabelledTicket]] = []
    start = 0
    size = 0
    for index, ticket in enumerate(tickets):
        length = len(ticket.text.encode("utf-8"))
        if index > start and (index - start >= INSERT_BATCH_ROWS or size + length > INSERT_BATCH_BYTES):
            batches.append(tickets[start:index])
            start, size = index, 0
        size += length
    if start < len(tickets):
        batches.append(tickets[start:])
    return batches


def _labelled_ticket_values(ticket: LabelledTicket) -> dict[str, Any]:
    return {
        "text": ticket.text,
        "category": ticket.category,
        "priority": ticket.priority.value if ticket.priority is not None else None,
        "team_id": ticket.team_id,
        "source": ticket.source,
        "created_at": ticket.created_at,
    }


def _labelled_ticket(row: sa.Row[Any]) -> LabelledTicket:
    return LabelledTicket(
        text=row.text,
        category=row.category,
        source=row.source,
        created_at=row.created_at,
        priority=Priority(row.priority) if row.priority is not None else None,
        team_id=row.team_id,
        id=row.id,
    )


def _training_run_values(run: TrainingRun) -> dict[str, Any]:
    return {
        "trigger": run.trigger,
        "status": run.status.value,
        "progress_phase": run.progress.phase,
        "progress_percent": run.progress.percent,
        "progress_loss": run.progress.loss,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
        "labelled_tickets": run.labelled_tickets,
        "newest_ticket_id": run.newest_ticket_id,
        "model_version_id": run.model_version_id,
        "promoted": run.promoted,
        "decision": run.decision,
        "metrics": dict(run.metrics),
    }


def _training_run(row: sa.Row[Any]) -> TrainingRun:
    loss = row.progress_loss
    return TrainingRun(
        trigger=row.trigger,
        status=RunStatus(row.status),
        created_at=row.created_at,
        progress=TrainingProgress(row.progress_phase, float(row.progress_percent), float(loss) if loss is not None else None),
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        labelled_tickets=row.labelled_tickets,
        newest_ticket_id=row.newest_ticket_id,
        model_version_id=row.model_version_id,
        promoted=bool(row.promoted),
        decision=row.decision,
        metrics=dict(row.metrics or {}),
        id=row.id,
    )


def _model_version_values(version: ModelVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "path": version.path,
        "labels": list(version.labels),
        "status": version.status.value,
        "created_at": version.created_at,
        "activated_at": version.activated_at,
        "metrics": dict(version.metrics),
        "training_size": version.training_size,
        "training_run_id": version.training_run_id,
        "note": version.note,
    }


def _model_version(row: sa.Row[Any]) -> ModelVersion:
    return ModelVersion(
        name=row.name,
        path=row.path,
        labels=tuple(row.labels or ()),
        status=ModelStatus(row.status),
        created_at=row.created_at,
        metrics=dict(row.metrics or {}),
        training_size=row.training_size,
        training_run_id=row.training_run_id,
        activated_at=row.activated_at,
        note=row.note,
        id=row.id,
    )


def _analysis(row: sa.Row[Any]) -> TicketAnalysis:
    category = None
    if row.category is not None:
        alternatives = tuple(LabelScore(alt["label"], float(alt["confidence"])) for alt in row.category_alternatives or ())
        category = CategoryPrediction(row.category, float(row.category_confidence), row.model_version or "", alternatives)
    assignment = None
    if row.routing_reason is not None:
        assignment = TeamAssignment(
            row.assigned_team_id, bool(row.need_admin), row.similarity_score, RoutingReason(row.routing_reason)
        )
    return TicketAnalysis(
        company_id=row.company_id,
        description=row.description,
        category=category,
        priority=Priority(row.priority) if row.priority is not None else None,
        polarity=row.polarity,
        assignment=assignment,
        model_version=row.model_version,
        created_at=row.created_at,
        id=row.id,
    )


def _analysis_conditions(criteria: AnalysisFilter) -> list[sa.ColumnElement[bool]]:
    """`AnalysisFilter.matches` as SQL; the category compares case-insensitively on every collation."""
    c = analyses.c
    conditions: list[sa.ColumnElement[bool]] = []
    if criteria.company_id is not None:
        conditions.append(c.company_id == criteria.company_id)
    if criteria.category is not None:
        conditions.append(sa.func.lower(c.category) == criteria.category.lower())
    if criteria.priority is not None:
        conditions.append(c.priority == criteria.priority.value)
    if criteria.need_admin is not None:
        conditions.append(c.need_admin == criteria.need_admin)
    if criteria.created_from is not None:
        conditions.append(c.created_at >= criteria.created_from)
    if criteria.created_before is not None:
        conditions.append(c.created_at < criteria.created_before)
    return conditions


def _admin_user_values(user: AdminUser) -> dict[str, Any]:
    return {
        "username": user.username,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


def _admin_user(row: sa.Row[Any]) -> AdminUser:
    return AdminUser(
        username=row.username,
        password_hash=row.password_hash,
        role=AdminRole(row.role),
        created_at=row.created_at,
        is_active=bool(row.is_active),
        last_login_at=row.last_login_at,
        id=row.id,
    )
