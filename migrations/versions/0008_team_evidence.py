"""Teams may own several categories, and keep the tickets people confirmed as theirs (team evidence).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Spelled out here rather than imported from tables.py, like the earlier revisions.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def _datetime() -> sa.types.TypeEngine[datetime]:
    """DATETIME(6) on MariaDB like every other timestamp (tables.UtcDateTime)."""
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("teams") as table:
        table.add_column(sa.Column("extra_categories", sa.JSON(none_as_null=True), nullable=True))
    op.create_table(
        "team_evidence",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column(
            "team_id",
            sa.Integer,
            sa.ForeignKey("teams.id", ondelete="CASCADE", name="fk_team_evidence_team_id"),
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer, nullable=False),
        sa.Column("text", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("created_at", _datetime(), nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_team_evidence_team_id", "team_evidence", ["team_id"])
    op.create_index("ix_team_evidence_company_id", "team_evidence", ["company_id"])


def downgrade() -> None:
    op.drop_table("team_evidence")
    with op.batch_alter_table("teams") as table:
        table.drop_column("extra_categories")
