"""What the training process does to itself before it trains, and what it reports about itself.

Linux keeps the nice value and the scheduling policy per thread, and a thread inherits them from the thread that
starts it: both are set first thing, while the process has a single thread, so every thread torch, ONNX Runtime or
scikit-learn starts later runs at them too.

Why the autogroup too: the process runs in a session of its own, and where the kernel groups tasks by session
(`kernel.sched_autogroup_enabled`, on by default in Debian's and Ubuntu's kernels) the scheduler first shares the CPU
fairly between groups, then by nice value and policy inside each group. A nice-19, SCHED_IDLE process alone in its
group then took as much CPU as the whole API: an integer loop at that priority in its own session halved the API's
requests per second, and did nothing measurable once its group's nice was 19 too (README, "Benchmarks").
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import signal
import sys

logger = logging.getLogger(__name__)

LOWEST_PRIORITY = 19
AUTOGROUP = "/proc/self/autogroup"
_PR_SET_PDEATHSIG = 1
_SCHEDULERS = {
    getattr(os, name): label
    for name, label in (("SCHED_OTHER", "normal"), ("SCHED_BATCH", "batch"), ("SCHED_IDLE", "idle"))
    if hasattr(os, name)
}


def die_with_parent(parent_pid: int) -> None:
    """Ends this process when `parent_pid` (the process that started it) dies, even by SIGKILL: on Linux the
    kernel kills it then; elsewhere it notices at its next read, when its input ends. Exits at once when the parent
    is already gone."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            logger.warning("cannot ask to die with the parent: %s", os.strerror(ctypes.get_errno()))
    # Checked after asking, so a parent that died before the request is not missed.
    if os.getppid() != parent_pid:
        raise SystemExit(f"the parent process {parent_pid} is gone")


def lower_priority() -> None:
    """Nice 19, where the platform has it SCHED_IDLE, and where the kernel groups tasks by session, nice 19 for this
    process's group (see the module docstring): this process runs only on CPU time nothing else wants. A refusal is
    logged; training then runs at whatever priority it has."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, LOWEST_PRIORITY)
    except OSError as error:
        logger.warning("cannot lower the training process's nice value: %s", error)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError as error:
            logger.warning("cannot put the training process on the idle scheduler: %s", error)
    if os.path.exists(AUTOGROUP):
        try:
            with open(AUTOGROUP, "w", encoding="ascii") as autogroup:
                autogroup.write(str(LOWEST_PRIORITY))
        except OSError as error:
            logger.warning("cannot lower the training process's scheduling group: %s", error)


def autogroup_nice() -> int | None:
    """The nice value of this process's scheduling group (`/proc/self/autogroup`), None where there is none."""
    try:
        with open(AUTOGROUP, encoding="ascii") as autogroup:
            return int(autogroup.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def process_facts() -> dict[str, object]:
    """This process's peak resident memory so far (MiB) and the priority it runs at, for a version's details."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts kilobytes, macOS bytes.
    peak_mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    scheduler = _SCHEDULERS.get(os.sched_getscheduler(0), "other") if hasattr(os, "sched_getscheduler") else None
    return {
        "peak_rss_mib": round(peak_mib, 1),
        "training_process": {
            "nice": os.getpriority(os.PRIO_PROCESS, 0),
            "scheduler": scheduler,
            "autogroup_nice": autogroup_nice(),
        },
    }
