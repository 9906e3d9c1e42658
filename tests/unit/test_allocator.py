"""The training process's memory helpers: reading a process's resident memory, and giving freed memory back."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import pytest

from adapters.outbound.ml.allocator import ResidentMemory, parse_status, release_free_memory, resident_memory

STATUS = """Name:\tpython
Umask:\t0022
VmPeak:\t 9000000 kB
VmHWM:\t  3145728 kB
VmRSS:\t  1048576 kB
Threads:\t3
"""


def test_the_resident_size_and_its_high_water_mark_are_read_in_mib() -> None:
    assert parse_status(STATUS) == ResidentMemory(rss_mib=1024.0, peak_mib=3072.0)
    assert str(parse_status(STATUS)) == "rss 1024 MiB, peak 3072 MiB"


@pytest.mark.parametrize(
    "text",
    ["", "Name:\tpython\nVmRSS:\t 10 kB\n", "VmHWM:\t 10 kB\n", "VmRSS:\t n/a kB\nVmHWM:\t 10 kB\n"],
)
def test_a_status_without_both_readings_gives_none(text: str) -> None:
    assert parse_status(text) is None


def test_a_missing_status_file_gives_none(tmp_path: Path) -> None:
    assert resident_memory(tmp_path / "status") is None


@pytest.mark.skipif(sys.platform != "linux", reason="/proc/self/status is Linux's")
def test_this_process_holds_memory_and_its_peak_is_at_least_what_it_holds() -> None:
    memory = resident_memory()

    assert memory is not None
    assert 0 < memory.rss_mib <= memory.peak_mib


def test_releasing_memory_after_freeing_a_large_block_is_safe_and_says_whether_it_trimmed() -> None:
    block = [bytearray(1 << 16) for _ in range(256)]
    del block

    trimmed = release_free_memory()

    assert isinstance(trimmed, bool)
    if platform.libc_ver()[0] != "glibc":
        assert trimmed is False  # nothing to call: a no-op, never an error
    assert release_free_memory() in (True, False)  # again, with nothing left to give back
