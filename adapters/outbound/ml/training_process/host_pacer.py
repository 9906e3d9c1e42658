"""Pauses the training process while the rest of the host is busy, so a training never competes with serving.

Why pausing on top of the lowest priority: nice 19 and SCHED_IDLE give serving every core it asks for, but not the
machine it had: under load the API spent more CPU a ticket while a fine-tuning ran (README, "Benchmarks"), likely
because each API wake-up preempts a training thread and the training's working set evicts the API's from the
caches. A stopped process costs nothing, so while the other processes use at least `PacingPolicy.busy_share` of
the host (`TRAINING_PAUSE_BUSY_SHARE`) the training's process group (the training process and any worker it
started) is stopped (SIGSTOP) and continued (SIGCONT) once they do not.

Why a pause ends anyway after `MAX_PAUSE_S`, for at least `FLOOR_RUN_S`: a host that is never idle (another busy
service, a long load test) must still see its training finish, more slowly, rather than never.

How the others' share is read without scanning every process: the kernel counts the CPU time of niced processes
apart (`/proc/stat`'s nice column) and the training process runs at nice 19, so the others' time is the host's
user, system and interrupt time less the training process's own system time. Processes that run niced themselves
count as the training's kind of work: background work, not serving.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

TICK_S = 0.5
MAX_PAUSE_S = 30.0
FLOOR_RUN_S = 2.0

HOST_STAT = "/proc/stat"


@dataclass(frozen=True, slots=True)
class HostTimes:
    """Cumulative CPU time of the host (all cores), in clock ticks."""

    total: int
    normal_busy: int  # user, system, interrupts: everything busy but niced user time, steal and guests

    @staticmethod
    def parse(stat_text: str) -> HostTimes:
        """From `/proc/stat`'s first line: `cpu user nice system idle iowait irq softirq steal ...`."""
        fields = [int(value) for value in stat_text.split("\n", 1)[0].split()[1:]]
        user, nice, system, idle, iowait, irq, softirq = (fields + [0] * 7)[:7]
        steal = fields[7] if len(fields) > 7 else 0
        return HostTimes(
            total=user + nice + system + idle + iowait + irq + softirq + steal,
            normal_busy=user + system + irq + softirq,
        )


@dataclass(slots=True)
class PacingPolicy:
    """When to stop and continue the training, from the others' share of the host in each tick (pure)."""

    busy_share: float
    max_pause_s: float = MAX_PAUSE_S
    floor_run_s: float = FLOOR_RUN_S
    paused_since: float | None = None
    no_pause_before: float = 0.0  # after a pause that ran out: the floor's run
    paused_s: float = 0.0
    pauses: int = 0

    def decide(self, others_share: float, now: float) -> bool | None:
        """True: stop the training now; False: continue it now; None: leave it as it is."""
        busy = others_share >= self.busy_share
        if self.paused_since is None:
            if busy and now >= self.no_pause_before:
                self.paused_since = now
                self.pauses += 1
                return True
            return None
        if busy and now - self.paused_since < self.max_pause_s:
            return None
        if busy:
            self.no_pause_before = now + self.floor_run_s
        self.end_pause(now)
        return False

    def end_pause(self, now: float) -> None:
        """Counts the pause under way, if any, as ended at `now`."""
        if self.paused_since is not None:
            self.paused_s += now - self.paused_since
            self.paused_since = None


class HostPacer:
    """Stops and continues the process group that the training process `pid` leads, by the others' share of the
    host, on a thread of its own, until `close` (which continues the group). Where the host has no `/proc/stat` it
    does nothing."""

    def __init__(
        self,
        pid: int,
        policy: PacingPolicy,
        read_host: Callable[[], str | None] | None = None,
        read_own_system_ticks: Callable[[int], int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pid = pid
        self.policy = policy
        self._read_host = read_host or _read_host_stat
        self._read_own = read_own_system_ticks or _system_ticks
        self._clock = clock
        self._last: tuple[HostTimes, int] | None = None
        self._stopped = False
        self._closing = threading.Event()
        self._lock = threading.Lock()

    @property
    def stopped(self) -> bool:
        return self._stopped

    def start(self) -> None:
        if self._read_host() is None:
            logger.info("no %s here: the training process is not paused while the host is busy", HOST_STAT)
            return
        threading.Thread(target=self._run, name="training-pacer", daemon=True).start()

    def tick(self) -> None:
        """One reading and, when the policy says so, one signal to the group."""
        text = self._read_host()
        if text is None:
            return
        try:
            now_times, own = HostTimes.parse(text), self._read_own(self._pid)
        except (OSError, ValueError):
            return  # the process is gone (its group with it): `close` comes next
        last, self._last = self._last, (now_times, own)
        if last is None:
            return
        total = now_times.total - last[0].total
        if total <= 0:
            return
        others = max(0, now_times.normal_busy - last[0].normal_busy - (own - last[1]))
        with self._lock:  # `close` either came before this decision or comes after its signal
            if self._closing.is_set():
                return
            decision = self.policy.decide(others / total, self._clock())
            if decision is not None:
                self._signal(signal.SIGSTOP if decision else signal.SIGCONT)

    def close(self) -> None:
        """Stops pacing and continues the group if it is stopped; safe to call at any time, and again. Does not
        wait for the thread (it ends at its next wake-up), so it never blocks an event loop."""
        with self._lock:
            if self._closing.is_set():
                return
            self._closing.set()
            if self._stopped:
                self._signal(signal.SIGCONT)
            self.policy.end_pause(self._clock())
        if self.policy.pauses:
            logger.info(
                "training process %d was paused %d time(s), %.0f s in all, while the host was busy",
                self._pid,
                self.policy.pauses,
                self.policy.paused_s,
            )

    def _run(self) -> None:
        while not self._closing.wait(TICK_S):
            self.tick()

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group ended a moment ago
            os.killpg(self._pid, signum)
            self._stopped = signum == signal.SIGSTOP


def _read_host_stat() -> str | None:
    try:
        with open(HOST_STAT, encoding="ascii") as stat:
            return stat.readline()
    except OSError:
        return None


def _system_ticks(pid: int) -> int:
    """The process's system time so far, all threads, in clock ticks (`/proc/<pid>/stat` field 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[12])
