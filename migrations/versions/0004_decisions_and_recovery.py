"""Decisions a person can trust, and recovery from crashes and bad input.

- companies: the decision mode per field, the target precision, and whether an uncalibrated model may act;
- analyses: each field's decision (auto/review), the suggested team, the words that decided it, and whether the
  analysis waits in the review queue;
- labelled_tickets: the company a label came from, and its status (active, superseded by later feedback, or
  excluded from training by an admin), with who changed it;
- human_labels: the label a person gave a ticket text, per company, so the model never re-decides it;
- mislabel_candidates: labelled tickets whose label the out-of-fold model finds most unlikely;
- training_runs.heartbeat_at: a crashed worker's run is found by its silence;
- admin_users.session_generation: logout and a password change revoke every session at once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Spelled out here rather than imported from tables.py, like the earlier revisions.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _datetime() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("companies") as table:
        table.add_column(sa.Column("category_mode", sa.String(16), nullable=False, server_default="autofill"))
        table.add_column(sa.Column("team_mode", sa.String(16), nullable=False, server_default="autofill"))
        table.add_column(sa.Column("target_precision", sa.Double, nullable=False, server_default="0.95"))
        table.add_column(sa.Column("trust_uncalibrated", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("analyses") as table:
        table.add_column(sa.Column("category_decision", sa.String(8), nullable=True))
        table.add_column(sa.Column("category_reason", sa.String(32), nullable=True))
        table.add_column(sa.Column("team_decision", sa.String(8), nullable=True))
        table.add_column(sa.Column("suggested_team_id", sa.Integer, nullable=True))
        table.add_column(sa.Column("reasons", sa.JSON(none_as_null=True), nullable=True))
        table.add_column(sa.Column("review_pending", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_analyses_review_pending", "analyses", ["review_pending", "id"])
    with op.batch_alter_table("labelled_tickets") as table:
        table.add_column(sa.Column("company_id", sa.Integer, nullable=True))
        table.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="active"))
        table.add_column(sa.Column("status_changed_by", sa.String(150), nullable=True))
        table.add_column(sa.Column("status_changed_at", _datetime(), nullable=True))
    op.create_index("ix_labelled_tickets_status", "labelled_tickets", ["status"])
    op.create_table(
        "human_labels",
        sa.Column("id", AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("company_id", sa.Integer, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("labelled_ticket_id", sa.BigInteger, nullable=False),
        sa.Column("created_at", _datetime(), nullable=False),
        sa.UniqueConstraint("company_id", "text_hash", name="uq_human_labels_company_text"),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "mislabel_candidates",
        sa.Column("id", AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("training_run_id", sa.Integer, nullable=False),
        sa.Column("labelled_ticket_id", sa.BigInteger, nullable=False),
        sa.Column("given_label", sa.String(100), nullable=False),
        sa.Column("proposed_label", sa.String(100), nullable=False),
        sa.Column("given_probability", sa.Double, nullable=False),
        sa.Column("resolution", sa.String(16), nullable=True),
        sa.Column("resolved_by", sa.String(150), nullable=True),
        sa.Column("resolved_at", _datetime(), nullable=True),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_mislabel_candidates_run", "mislabel_candidates", ["training_run_id", "given_probability"])
    op.create_index("ix_mislabel_candidates_labelled_ticket_id", "mislabel_candidates", ["labelled_ticket_id"])
    with op.batch_alter_table("training_runs") as table:
        table.add_column(sa.Column("heartbeat_at", _datetime(), nullable=True))
    with op.batch_alter_table("admin_users") as table:
        table.add_column(sa.Column("session_generation", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("admin_users") as table:
        table.drop_column("session_generation")
    with op.batch_alter_table("training_runs") as table:
        table.drop_column("heartbeat_at")
    op.drop_table("mislabel_candidates")
    op.drop_table("human_labels")
    op.drop_index("ix_labelled_tickets_status", "labelled_tickets")
    with op.batch_alter_table("labelled_tickets") as table:
        for column in ("status_changed_at", "status_changed_by", "status", "company_id"):
            table.drop_column(column)
    op.drop_index("ix_analyses_review_pending", "analyses")
    with op.batch_alter_table("analyses") as table:
        for column in (
            "review_pending",
            "reasons",
            "suggested_team_id",
            "team_decision",
            "category_reason",
            "category_decision",
        ):
            table.drop_column(column)
    with op.batch_alter_table("companies") as table:
        for column in ("trust_uncalibrated", "target_precision", "team_mode", "category_mode"):
            table.drop_column(column)
