"""The catalogue stamp: one row whose version moves with every company or team write.

Every API process caches companies and their teams (parsed embeddings included) and reads only this row per
request, reloading when it moved; so a change made through any process is seen by all of them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Spelled out here rather than imported from tables.py, like the earlier revisions.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def upgrade() -> None:
    stamp = op.create_table(
        "catalogue_stamp",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.bulk_insert(stamp, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("catalogue_stamp")
