"""Schema migrations, run programmatically so no alembic.ini is needed at deployment."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parents[4] / "migrations"
"""The top-level `migrations/` folder, beside `adapters/` both in the checkout and once installed."""

URL_ATTRIBUTE = "ticket_utils_url"
"""`Config.attributes` key that carries the database URL to migrations/env.py (no ini interpolation of `%`)."""


def alembic_config(url: str) -> Config:
    """An alembic Config for `url`, also usable with other alembic commands (downgrade, current, history)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes[URL_ATTRIBUTE] = url
    return config


def upgrade_to_head(url: str) -> None:
    """Brings the database at `url` to the newest schema; a no-op when it is already there.

    Synchronous: migrations/env.py runs the async engine with `asyncio.run`, so this must not be called from
    inside a running event loop; from async code use `await asyncio.to_thread(upgrade_to_head, url)`.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "upgrade_to_head cannot run inside an event loop; use asyncio.to_thread(upgrade_to_head, url)"
        )
    command.upgrade(alembic_config(url), "head")
