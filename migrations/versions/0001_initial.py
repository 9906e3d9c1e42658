"""Initial schema: companies, teams, analyses and the single training_state row.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

The schema is spelled out here rather than imported from tables.py, so this migration stays what it was
when tables.py changes.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def _datetime() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("auto_categorize", sa.Boolean, nullable=False),
        sa.Column("auto_prioritize", sa.Boolean, nullable=False),
        sa.Column("auto_assign", sa.Boolean, nullable=False),
        sa.Column("created_at", _datetime(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "company_id",
            sa.Integer,
            sa.ForeignKey("companies.id", ondelete="CASCADE", name="fk_teams_company_id"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(200), nullable=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("embedding", sa.JSON, nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_teams_company_id", "teams", ["company_id"])
    op.create_table(
        "analyses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("company_id", sa.Integer, nullable=False),
        sa.Column("description", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"), nullable=False),
        sa.Column("category", sa.String(200), nullable=True),
        sa.Column("category_confidence", sa.Double, nullable=True),
        sa.Column("category_alternatives", sa.JSON, nullable=True),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("polarity", sa.Double, nullable=True),
        sa.Column("assigned_team_id", sa.Integer, nullable=True),
        sa.Column("need_admin", sa.Boolean, nullable=True),
        sa.Column("similarity_score", sa.Double, nullable=True),
        sa.Column("routing_reason", sa.String(64), nullable=True),
        sa.Column("model_version", sa.String(200), nullable=True),
        sa.Column("created_at", _datetime(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_analyses_company_id", "analyses", ["company_id"])
    op.create_index("ix_analyses_created_at", "analyses", ["created_at"])
    training_state = op.create_table(
        "training_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("analyses_since_trigger", sa.Integer, nullable=False),
        sa.Column("running", sa.Boolean, nullable=False),
        sa.Column("running_since", _datetime(), nullable=True),
        sa.Column("last_triggered_at", _datetime(), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        **MYSQL_TABLE_OPTIONS,
    )
    op.bulk_insert(training_state, [{"id": 1, "analyses_since_trigger": 0, "running": False}])


def downgrade() -> None:
    for table in ("training_state", "analyses", "teams", "companies"):
        op.drop_table(table)
