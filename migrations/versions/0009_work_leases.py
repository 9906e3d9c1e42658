"""Leases on background work, so that one process at a time re-embeds a company's tickets (issue 20).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08

Spelled out here rather than imported from tables.py, like the earlier revisions.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def _datetime() -> sa.types.TypeEngine[datetime]:
    """DATETIME(6) on MariaDB like every other timestamp (tables.UtcDateTime)."""
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "work_leases",
        sa.Column("name", sa.String(255), primary_key=True, autoincrement=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", _datetime(), nullable=False),
        **_MYSQL,
    )


def downgrade() -> None:
    op.drop_table("work_leases")
