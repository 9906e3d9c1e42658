"""Gives freed memory back to the system between the stages of a training, and says how much a process holds.

Why: glibc's malloc keeps the memory a stage freed (a TF-IDF vocabulary, a tokenised corpus, a torch model and its
optimiser) in its arenas for reuse, so the next stage's allocations - ONNX Runtime's, scikit-learn's, spread over
other arenas and threads - come on top of it, and the process's resident size climbs stage after stage although
the live data never grows. `malloc_trim(0)` returns the free pages of every arena to the kernel. Where the C
library is not glibc (musl, macOS) there is no such call and releasing memory is a no-op; the readings of
`/proc/self/status` are Linux's and None elsewhere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

logger = logging.getLogger(__name__)

_STATUS = Path("/proc/self/status")
_malloc_trim: Callable[[int], int] | None = None
_looked_up = False


@dataclass(frozen=True, slots=True)
class ResidentMemory:
    """A process's resident memory now and its high-water mark since it started, in MiB."""

    rss_mib: float
    peak_mib: float

    def __str__(self) -> str:
        return f"rss {self.rss_mib:.0f} MiB, peak {self.peak_mib:.0f} MiB"


def resident_memory(status_file: Path = _STATUS) -> ResidentMemory | None:
    """This process's VmRSS and VmHWM (Linux's `/proc/self/status`); None where the file or the fields are missing."""
    try:
        text = status_file.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return parse_status(text)


def parse_status(text: str) -> ResidentMemory | None:
    """VmRSS and VmHWM out of a `/proc/<pid>/status` text (values in kB); None when either is missing."""
    fields: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            parts = value.split()
            if parts and parts[0].isdigit():
                fields[name] = int(parts[0]) / 1024
    if "VmRSS" not in fields or "VmHWM" not in fields:
        return None
    return ResidentMemory(round(fields["VmRSS"], 1), round(fields["VmHWM"], 1))


def release_free_memory() -> bool:
    """Collects garbage (cycles keep tensors and arrays alive), then returns the C heap's free pages to the system
    with glibc's `malloc_trim(0)`. True when the C library trimmed; False where it cannot (not glibc) or had nothing
    to give back. Blocking (milliseconds to a second on a large heap): call it between stages, off the event loop."""
    gc.collect()
    trim = _trim_function()
    if trim is None:
        return False
    return bool(trim(0))


def _trim_function() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, looked up once; None where the C library has none."""
    global _malloc_trim, _looked_up
    if not _looked_up:
        _malloc_trim, _looked_up = _load_malloc_trim(), True
    return _malloc_trim


def _load_malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        logger.debug("no malloc_trim in this C library: freed memory stays with the allocator")
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return cast(Callable[[int], int], trim)
