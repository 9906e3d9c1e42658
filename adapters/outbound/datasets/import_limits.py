"""How much a spreadsheet import may read: the bounds that keep a hostile or mistaken file from exhausting memory."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportLimits:
    max_rows: int
    """Data rows after the header, blank ones included; a file with more is refused (IMPORT_MAX_ROWS)."""
    max_unpacked_bytes: int
    """An XLSX's members once unpacked (summed from the zip directory), or a CSV's size (IMPORT_MAX_UNPACKED_BYTES)."""


def mib(size: int) -> str:
    return f"{size / MIB:,.1f} MiB"
