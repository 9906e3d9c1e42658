"""What a test sees of the processes this one started, read from /proc (Linux), never from the code under test."""

from __future__ import annotations

import os
import time
from pathlib import Path

TRAINING_PROCESS_MODULES = ("bootstrap.training_process", "tests.unit.training_process_child")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name sits in parentheses and may hold spaces: the fields that follow come after the last ")".
    state, parent = stat.rsplit(")", 1)[1].split()[:2]
    return state, int(parent)


def alive(pid: int) -> bool:
    """Running or sleeping: a zombie (exited, not yet reaped) counts as gone."""
    found = _stat(pid)
    return found is not None and found[0] not in {"Z", "X"}


def training_processes(parent: int | None = None) -> list[int]:
    """The live training processes whose parent is `parent` (this process by default)."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = _stat(pid)
        if stat is None or stat[1] != parent or not alive(pid):
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if any(module.encode() in command for module in TRAINING_PROCESS_MODULES):
            found.append(pid)
    return found


def wait_until_gone(pid: int, deadline_s: float = 60.0) -> bool:
    """Whether `pid` is gone within the deadline (a generous one: only the outcome is asserted, never the time)."""
    deadline = time.monotonic() + deadline_s
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
