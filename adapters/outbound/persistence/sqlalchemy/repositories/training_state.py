"""The single retraining-trigger row: every change is one conditional UPDATE, atomic in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.sqlalchemy.repositories._table import rowcount
from adapters.outbound.persistence.sqlalchemy.tables import TRAINING_STATE_ID, training_state
from domain.training import TrainingState


class SqlAlchemyTrainingStateRepository:
    """Each change is one UPDATE on the single row, so the database's row lock makes it atomic across processes.

    The row is created on demand when missing (the migration inserts it); `get` never writes.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self) -> TrainingState:
        row = (await self._session.execute(sa.select(training_state).where(_the_row()))).first()
        return _state(row)

    async def count_analysis(self, count: int = 1) -> TrainingState:
        """Increments in the database and reads the row back in the same transaction, which holds the row lock."""
        counter = training_state.c.analyses_since_trigger
        await self._update(sa.update(training_state).where(_the_row()).values(analyses_since_trigger=counter + count))
        return _state((await self._session.execute(sa.select(training_state).where(_the_row()))).first())

    async def claim(
        self, now: datetime, threshold: int | None, stale_before: datetime, min_new_labels: int = 0
    ) -> bool:
        """One conditional UPDATE: of concurrent claimers, the database lets exactly one match the row.

        An automatic claim subtracts the threshold from a counter that reached it, in the same UPDATE, rather than
        resetting to 0: analyses counted by others between a caller's increment and its claim stay counted toward
        the next trigger. A manual claim (no threshold) resets the counter to 0.
        """
        c = training_state.c
        condition = sa.and_(
            _the_row(),
            sa.or_(c.running == sa.false(), c.running_since.is_(None), c.running_since < stale_before),
        )
        counter: Any = 0
        if threshold is not None:
            new_labels = c.label_revision - c.trained_label_revision
            reached = c.analyses_since_trigger >= threshold
            due = sa.and_(reached, new_labels > 0)
            if min_new_labels > 0:
                due = sa.or_(due, new_labels >= min_new_labels)
            condition = sa.and_(condition, due)
            counter = sa.case((reached, c.analyses_since_trigger - threshold), else_=c.analyses_since_trigger)
        statement = (
            sa.update(training_state)
            .where(condition)
            .values(
                analyses_since_trigger=counter,
                running=True,
                running_since=now,
                last_triggered_at=now,
                claimed_label_revision=c.label_revision,
            )
        )
        return await self._update(statement) == 1

    async def skip_trigger(self, threshold: int) -> bool:
        c = training_state.c
        condition = sa.and_(
            _the_row(), c.analyses_since_trigger >= threshold, c.label_revision <= c.trained_label_revision
        )
        statement = (
            sa.update(training_state)
            .where(condition)
            # MariaDB assigns left to right, each assignment seeing the ones before: the counter is read first.
            .ordered_values(
                (c.skipped_triggers, c.skipped_triggers + c.analyses_since_trigger // threshold),
                (c.analyses_since_trigger, c.analyses_since_trigger % threshold),
            )
        )
        return await self._update(statement) == 1

    async def mark_trained(self, full_at: datetime | None = None, full_tickets: int = 0) -> None:
        values: dict[str, Any] = {"trained_label_revision": training_state.c.claimed_label_revision}
        if full_at is not None:
            values |= {"last_full_at": full_at, "last_full_tickets": full_tickets}
        await self._update(sa.update(training_state).where(_the_row()).values(**values))

    async def release(self, error: str | None) -> None:
        values: dict[str, Any] = {"running": False, "running_since": None}
        if error is not None:
            values["last_error"] = error
        await self._update(sa.update(training_state).where(_the_row()).values(**values))

    async def record_error(self, error: str) -> None:
        await self._update(sa.update(training_state).where(_the_row()).values(last_error=error))

    async def clear_error(self) -> None:
        await self._update(sa.update(training_state).where(_the_row()).values(last_error=None))

    async def _update(self, statement: sa.Update) -> int:
        """Runs the UPDATE; if it matched nothing because the row is missing, creates the row and runs it again.

        The insert is only attempted when the row is absent: an INSERT IGNORE on an existing row would take a
        shared lock before the UPDATE's exclusive one, which deadlocks concurrent InnoDB transactions.
        """
        matched = rowcount(await self._session.execute(statement))
        if matched == 0 and not await self._row_exists():
            await self._insert_row_if_missing()
            matched = rowcount(await self._session.execute(statement))
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


async def advance_label_revision(session: AsyncSession, changes: int) -> None:
    """Moves the training data's revision by `changes`, in the caller's transaction: the labelled-ticket repository
    calls it with every change it makes (`TrainingStateRepository`'s contract)."""
    if changes > 0:
        counter = training_state.c.label_revision
        await SqlAlchemyTrainingStateRepository(session)._update(
            sa.update(training_state).where(_the_row()).values(label_revision=counter + changes)
        )


def _state(row: Any) -> TrainingState:
    if row is None:
        return TrainingState(0, False, None, None, None)
    return TrainingState(
        analyses_since_trigger=row.analyses_since_trigger,
        running=bool(row.running),
        running_since=row.running_since,
        last_triggered_at=row.last_triggered_at,
        last_error=row.last_error,
        label_revision=int(row.label_revision),
        trained_label_revision=int(row.trained_label_revision),
        claimed_label_revision=int(row.claimed_label_revision),
        skipped_triggers=int(row.skipped_triggers),
        last_full_at=row.last_full_at,
        last_full_tickets=int(row.last_full_tickets),
    )


def _the_row() -> sa.ColumnElement[bool]:
    condition: sa.ColumnElement[bool] = training_state.c.id == TRAINING_STATE_ID
    return condition
