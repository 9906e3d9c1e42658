"""Similar tickets and duplicates: one stored text vector per ticket and model version, and the company flag.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Spelled out here rather than imported from tables.py, like the earlier revisions. The vector column is a plain
BLOB: how the adapter writes bytes into it (tables.RawBytes) is no part of the schema.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def _datetime() -> sa.types.TypeEngine[datetime]:
    """DATETIME(6) on MariaDB like every other timestamp (tables.UtcDateTime)."""
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("companies") as table:
        table.add_column(sa.Column("similar_tickets_enabled", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_table(
        "ticket_vectors",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("company_id", sa.Integer, nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("analysis_id", sa.BigInteger, nullable=True),
        sa.Column("labelled_ticket_id", sa.BigInteger, nullable=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("created_at", _datetime(), nullable=False),
        sa.Column("category", sa.String(200), nullable=True),
        sa.Column("label_is_human", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("team_id", sa.Integer, nullable=True),
        sa.UniqueConstraint("model_version", "analysis_id", name="uq_ticket_vectors_version_analysis"),
        sa.UniqueConstraint("model_version", "labelled_ticket_id", name="uq_ticket_vectors_version_labelled"),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index(
        "ix_ticket_vectors_company_version_created", "ticket_vectors", ["company_id", "model_version", "created_at"]
    )
    op.create_index("ix_ticket_vectors_company_version_id", "ticket_vectors", ["company_id", "model_version", "id"])


def downgrade() -> None:
    op.drop_table("ticket_vectors")
    with op.batch_alter_table("companies") as table:
        table.drop_column("similar_tickets_enabled")
