"""The schema as SQLAlchemy Core tables; repositories map rows to domain dataclasses by hand.

Core rather than ORM keeps the domain dataclasses free of mapping state and makes every statement explicit,
which the atomic counter and claim updates depend on. The migrations spell out the same schema on their own,
so that an old migration never changes when this module does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from adapters.outbound.persistence.sqlalchemy.vector_bytes import RawBytes

metadata = sa.MetaData()

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Stores timezone-aware datetimes as naive UTC and hands them back aware.

    MariaDB's DATETIME has no zone and SQLite has no datetime type at all, so the zone is normalised here
    once; a naive value is refused rather than guessed.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime ({value.isoformat()}); pass a timezone-aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _utc_now() -> datetime:
    return datetime.now(UTC)


LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
"""Ticket texts: MySQL's TEXT holds only 64 KiB, which utf8mb4 tickets of 10,000+ characters can exceed."""

AutoId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""SQLite auto-increments only an INTEGER PRIMARY KEY, so BIGINT ids are INTEGER there."""

companies = sa.Table(
    "companies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("auto_categorize", sa.Boolean, nullable=False),
    sa.Column("auto_prioritize", sa.Boolean, nullable=False),
    sa.Column("auto_assign", sa.Boolean, nullable=False),
    sa.Column("category_mode", sa.String(16), nullable=False, server_default="autofill"),
    sa.Column("team_mode", sa.String(16), nullable=False, server_default="autofill"),
    sa.Column("target_precision", sa.Double, nullable=False, server_default="0.95"),
    sa.Column("trust_uncalibrated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("similar_tickets_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UtcDateTime, nullable=False, default=_utc_now),
    **MYSQL_TABLE_OPTIONS,
)

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "company_id",
        sa.Integer,
        sa.ForeignKey("companies.id", ondelete="CASCADE", name="fk_teams_company_id"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(200), nullable=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("embedding", sa.JSON, nullable=False),
    sa.Column("extra_categories", sa.JSON(none_as_null=True), nullable=True),
    **MYSQL_TABLE_OPTIONS,
)
"""`embedding` is a JSON list of floats: Python writes floats in shortest round-trip form, so reads are exact.
`extra_categories` (migration 0008): a JSON list of the categories the team owns besides `category`, or NULL."""

team_evidence = sa.Table(
    "team_evidence",
    metadata,
    sa.Column("id", AutoId, primary_key=True, autoincrement=True),
    sa.Column(
        "team_id",
        sa.Integer,
        sa.ForeignKey("teams.id", ondelete="CASCADE", name="fk_team_evidence_team_id"),
        nullable=False,
        index=True,
    ),
    sa.Column("company_id", sa.Integer, nullable=False, index=True),
    sa.Column("text", LongText, nullable=False),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, default=_utc_now),
    **MYSQL_TABLE_OPTIONS,
)
"""Tickets people confirmed as a team's (feedback with `team_id`), the newest TEAM_EVIDENCE_PER_TEAM per team
(migration 0008); they go with their team."""

analyses = sa.Table(
    "analyses",
    metadata,
    sa.Column("id", AutoId, primary_key=True, autoincrement=True),
    sa.Column("company_id", sa.Integer, nullable=False, index=True),
    sa.Column("description", LongText, nullable=False),
    sa.Column("category", sa.String(200), nullable=True),
    sa.Column("category_confidence", sa.Double, nullable=True),
    sa.Column("category_alternatives", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("priority", sa.String(16), nullable=True),
    sa.Column("polarity", sa.Double, nullable=True),
    sa.Column("assigned_team_id", sa.Integer, nullable=True),
    sa.Column("need_admin", sa.Boolean, nullable=True),
    sa.Column("similarity_score", sa.Double, nullable=True),
    sa.Column("routing_reason", sa.String(64), nullable=True),
    sa.Column("model_version", sa.String(200), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("labelled_ticket_id", sa.BigInteger, nullable=True),
    sa.Column("category_decision", sa.String(8), nullable=True),
    sa.Column("category_reason", sa.String(32), nullable=True),
    sa.Column("team_decision", sa.String(8), nullable=True),
    sa.Column("suggested_team_id", sa.Integer, nullable=True),
    sa.Column("reasons", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("review_pending", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_analyses_review_pending", "review_pending", "id"),
    **MYSQL_TABLE_OPTIONS,
)
"""No foreign key on `company_id`: the history of analyses outlives a deleted company. `labelled_ticket_id` is
the labelled ticket that confirmed or corrected the analysis (feedback), None until then. `category_decision` and
`team_decision` are "auto" or "review" (None where the field was off); `review_pending` is true from a `review`
decision until a person confirms or corrects the analysis (the review queue reads it through its index)."""

training_state = sa.Table(
    "training_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("analyses_since_trigger", sa.Integer, nullable=False),
    sa.Column("running", sa.Boolean, nullable=False),
    sa.Column("running_since", UtcDateTime, nullable=True),
    sa.Column("last_triggered_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("label_revision", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("trained_label_revision", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("claimed_label_revision", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("skipped_triggers", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_full_at", UtcDateTime, nullable=True),
    sa.Column("last_full_tickets", sa.Integer, nullable=False, server_default="0"),
    **MYSQL_TABLE_OPTIONS,
)
"""A single row with id `TRAINING_STATE_ID`; every change to it is one conditional UPDATE, atomic in the database.
`label_revision` moves with every change to `labelled_tickets` in the same transaction (migration 0006)."""

TRAINING_STATE_ID = 1

catalogue_stamp = sa.Table(
    "catalogue_stamp",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)
"""A single row with id `CATALOGUE_STAMP_ID`: its version moves, in the same transaction, with every write to
`companies` or `teams`, so each API process can cache them and reload only when it moved (migration 0005)."""

CATALOGUE_STAMP_ID = 1

labelled_tickets = sa.Table(
    "labelled_tickets",
    metadata,
    sa.Column("id", AutoId, primary_key=True, autoincrement=True),
    sa.Column("text", LongText, nullable=False),
    sa.Column("category", sa.String(100), nullable=False, index=True),
    sa.Column("priority", sa.String(16), nullable=True),
    sa.Column("team_id", sa.Integer, nullable=True),
    sa.Column("source", sa.String(50), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("company_id", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active", index=True),
    sa.Column("status_changed_by", sa.String(150), nullable=True),
    sa.Column("status_changed_at", UtcDateTime, nullable=True),
    **MYSQL_TABLE_OPTIONS,
)
"""The training data. Ids grow with insertion order, which "newest" means everywhere. No foreign key on
`team_id`: a labelled ticket outlives its team. `status` is "active" (trained on), "superseded" (a later feedback
on the same analysis replaced it; kept as history) or "excluded" (an admin took it out of training)."""

human_labels = sa.Table(
    "human_labels",
    metadata,
    sa.Column("id", AutoId, primary_key=True, autoincrement=True),
    sa.Column("company_id", sa.Integer, nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("category", sa.String(100), nullable=False),
    sa.Column("labelled_ticket_id", sa.BigInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("company_id", "text_hash", name="uq_human_labels_company_text"),
    **MYSQL_TABLE_OPTIONS,
)
"""The latest label a person gave a ticket text for a company (`text_hash`: sha256 hex of the exact text), so a
later analysis of the same text answers it instead of the model."""

mislabel_candidates = sa.Table(
    "mislabel_candidates",
    metadata,
    sa.Column("id", AutoId, primary_key=True, autoincrement=True),
    sa.Column("training_run_id", sa.Integer, nullable=False),
    sa.Column("labelled_ticket_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("given_label", sa.String(100), nullable=False),
    sa.Column("proposed_label", sa.String(100), nullable=False),
    sa.Column("given_probability", sa.Double, nullable=False),
    sa.Column("resolution", sa.String(16), nullable=True),
    sa.Column("resolved_by", sa.String(150), nullable=True),
    sa.Column("resolved_at", UtcDateTime, nullable=True),
    sa.Index("ix_mislabel_candidates_run", "training_run_id", "given_probability"),
    **MYSQL_TABLE_OPTIONS,
)
"""Labelled tickets whose given label an out-of-fold model found most unlikely in a training run, with the label
it proposes; `resolution` ("confirmed", "changed", "excluded") records what an admin did, and who."""

training_runs = sa.Table(
    "training_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("trigger", sa.String(50), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("progress_phase", sa.String(100), nullable=False),
    sa.Column("progress_percent", sa.Double, nullable=False),
    sa.Column("progress_loss", sa.Double, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=True),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("error", LongText, nullable=True),
    sa.Column("labelled_tickets", sa.Integer, nullable=False),
    sa.Column("newest_ticket_id", sa.BigInteger, nullable=True),
    sa.Column("model_version_id", sa.Integer, nullable=True),
    sa.Column("promoted", sa.Boolean, nullable=False),
    sa.Column("decision", LongText, nullable=True),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("heartbeat_at", UtcDateTime, nullable=True),
    **MYSQL_TABLE_OPTIONS,
)
"""One row per retraining job. `error` and `decision` are MEDIUMTEXT on MySQL: an exception message can exceed
TEXT's 64 KiB, and a failed run must still be recordable. No foreign keys between runs and model versions:
each refers to the other, and both are history."""

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True, index=True),
    sa.Column("path", sa.String(1000), nullable=False),
    sa.Column("labels", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("activated_at", UtcDateTime, nullable=True),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("training_size", sa.Integer, nullable=False),
    sa.Column("training_run_id", sa.Integer, nullable=True),
    sa.Column("note", LongText, nullable=True),
    **MYSQL_TABLE_OPTIONS,
)
"""`metrics` is JSON (LONGTEXT on MariaDB), so a large confusion matrix and per-label figures fit."""

admin_users = sa.Table(
    "admin_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(150), nullable=False, unique=True, index=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_login_at", UtcDateTime, nullable=True),
    sa.Column("session_generation", sa.Integer, nullable=False, server_default="0"),
    **MYSQL_TABLE_OPTIONS,
)
"""Admin-site accounts. `password_hash` is an argon2 string (algorithm, parameters and salt included)."""

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", AutoId, primary_key=True, autoincrement=True),
    sa.Column("throttle_key", sa.String(200), nullable=False),
    sa.Column("failed_at", UtcDateTime, nullable=False, index=True),
    sa.Index("ix_login_failures_key_failed_at", "throttle_key", "failed_at"),
    **MYSQL_TABLE_OPTIONS,
)
"""One row per failed login and throttle key ("user:<name>" or "address:<ip>"): in the database, so that every
process and host sees the same count. Rows older than the throttle window are pruned on each failure."""

ticket_vectors = sa.Table(
    "ticket_vectors",
    metadata,
    sa.Column("id", AutoId, primary_key=True, autoincrement=True),
    sa.Column("company_id", sa.Integer, nullable=False),
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("analysis_id", sa.BigInteger, nullable=True),
    sa.Column("labelled_ticket_id", sa.BigInteger, nullable=True),
    sa.Column("vector", RawBytes, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("category", sa.String(200), nullable=True),
    sa.Column("label_is_human", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("team_id", sa.Integer, nullable=True),
    sa.Index("ix_ticket_vectors_company_version_created", "company_id", "model_version", "created_at"),
    sa.Index("ix_ticket_vectors_company_version_id", "company_id", "model_version", "id"),
    sa.UniqueConstraint("model_version", "analysis_id", name="uq_ticket_vectors_version_analysis"),
    sa.UniqueConstraint("model_version", "labelled_ticket_id", name="uq_ticket_vectors_version_labelled"),
    **MYSQL_TABLE_OPTIONS,
)
"""One text vector per ticket (an analysis or a labelled ticket) and model version (its name, as `analyses` records
it), as fp16 bytes (`domain.similar_tickets.pack_vector`); what a similar-ticket answer shows about the ticket is
copied in, so a search reads this table only. No foreign keys: like analyses, the vectors outlive a deleted
company's catalogue, and rows are keyed by the ticket ids they were written with (migration 0007)."""

work_leases = sa.Table(
    "work_leases",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True, autoincrement=False),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)
"""One row per lease held (`application.ports.work_lease`): who holds it and until when; released leases are
deleted. Names compare as the table's collation does (case-insensitively on MariaDB), which can only make two
names share a lease, never let two holders hold one (migration 0009)."""
