from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time; contract: timezone-aware UTC datetimes."""

    def now(self) -> datetime: ...
