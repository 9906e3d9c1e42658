"""Training data and model lifecycle: labelled_tickets, training_runs, model_versions, analyses.labelled_ticket_id.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-02

Spelled out here rather than imported from tables.py, like 0001.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def _datetime() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _long_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "labelled_tickets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("text", _long_text(), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("team_id", sa.Integer, nullable=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("created_at", _datetime(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_labelled_tickets_category", "labelled_tickets", ["category"])
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("trigger", sa.String(50), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress_phase", sa.String(100), nullable=False),
        sa.Column("progress_percent", sa.Double, nullable=False),
        sa.Column("progress_loss", sa.Double, nullable=True),
        sa.Column("created_at", _datetime(), nullable=False),
        sa.Column("started_at", _datetime(), nullable=True),
        sa.Column("finished_at", _datetime(), nullable=True),
        sa.Column("error", _long_text(), nullable=True),
        sa.Column("labelled_tickets", sa.Integer, nullable=False),
        sa.Column("newest_ticket_id", sa.BigInteger, nullable=True),
        sa.Column("model_version_id", sa.Integer, nullable=True),
        sa.Column("promoted", sa.Boolean, nullable=False),
        sa.Column("decision", _long_text(), nullable=True),
        sa.Column("metrics", sa.JSON, nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_training_runs_status", "training_runs", ["status"])
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _datetime(), nullable=False),
        sa.Column("activated_at", _datetime(), nullable=True),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("training_size", sa.Integer, nullable=False),
        sa.Column("training_run_id", sa.Integer, nullable=True),
        sa.Column("note", _long_text(), nullable=True),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_model_versions_name", "model_versions", ["name"], unique=True)
    op.create_index("ix_model_versions_status", "model_versions", ["status"])
    op.add_column("analyses", sa.Column("labelled_ticket_id", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("labelled_ticket_id")
    for table in ("model_versions", "training_runs", "labelled_tickets"):
        op.drop_table(table)
