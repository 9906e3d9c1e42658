"""Jinja filters for the admin templates: dates in UTC, shares as percentages, booleans as words, byte counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine


def when(moment: datetime | None, with_zone: bool = True) -> str:
    if moment is None:
        return "—"
    shown = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"{shown} UTC" if with_zone else shown


def pct(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{100 * value:.1f} %"


def yesno(value: Any) -> str:
    return "yes" if value else "no"


def size(value: int) -> str:
    """A byte count in the largest binary unit that keeps it at least 1 (1.5 MiB)."""
    amount = float(value)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            break
        amount /= 1024
    return f"{value} bytes" if unit == "bytes" else f"{amount:.1f} {unit}"


def register_filters(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters.update({"when": when, "pct": pct, "yesno": yesno, "size": size})
