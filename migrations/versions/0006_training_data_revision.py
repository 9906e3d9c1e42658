"""The retraining trigger learns whether anything is new: the training data's revision, what the last training
learned, skipped triggers, and the last full training.

An existing install starts with the revision it has: every labelled ticket counts as one change, and those up to
the newest ticket of the last succeeded run as learned, so upgrading trains again only if tickets came since.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Spelled out here rather than imported from tables.py, like the earlier revisions.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTERS = ("label_revision", "trained_label_revision", "claimed_label_revision", "skipped_triggers")


def _datetime() -> sa.types.TypeEngine[datetime]:
    """DATETIME(6) on MariaDB like every other timestamp (tables.UtcDateTime)."""
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("training_state") as table:
        for name in _COUNTERS:
            table.add_column(sa.Column(name, sa.BigInteger, nullable=False, server_default="0"))
        table.add_column(sa.Column("last_full_at", _datetime(), nullable=True))
        table.add_column(sa.Column("last_full_tickets", sa.Integer, nullable=False, server_default="0"))
    last_run = "(SELECT MAX(newest_ticket_id) FROM training_runs WHERE status = 'succeeded')"
    op.execute(
        "UPDATE training_state SET "
        "label_revision = (SELECT COUNT(*) FROM labelled_tickets), "
        f"trained_label_revision = (SELECT COUNT(*) FROM labelled_tickets WHERE id <= COALESCE({last_run}, 0)), "
        f"claimed_label_revision = (SELECT COUNT(*) FROM labelled_tickets WHERE id <= COALESCE({last_run}, 0)), "
        "last_full_at = (SELECT MAX(finished_at) FROM training_runs WHERE status = 'succeeded'), "
        "last_full_tickets = COALESCE((SELECT MAX(labelled_tickets) FROM training_runs WHERE status = 'succeeded'), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("training_state") as table:
        for name in (*_COUNTERS, "last_full_at", "last_full_tickets"):
            table.drop_column(name)
