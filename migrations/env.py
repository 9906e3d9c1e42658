"""Alembic environment: runs migrations over the async engine the service itself uses.

The URL comes from `config.attributes` (set by `migrate.alembic_config`) or, for the alembic command line,
from the `sqlalchemy.url` main option.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from adapters.outbound.persistence.sqlalchemy.engine import create_engine_for
from adapters.outbound.persistence.sqlalchemy.migrate import URL_ATTRIBUTE
from adapters.outbound.persistence.sqlalchemy.tables import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    url = config.attributes.get(URL_ATTRIBUTE) or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: pass it via migrate.alembic_config(url) or the sqlalchemy.url option")
    return str(url)


def _configure(**options: Any) -> None:
    context.configure(target_metadata=target_metadata, compare_type=True, **options)


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine_for(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
    else:
        asyncio.run(_run_online())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
