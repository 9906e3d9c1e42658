"""The training process is stopped while the rest of the host is busy and continued when it is not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from adapters.outbound.ml.training_process.host_pacer import HostPacer, HostTimes, PacingPolicy

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process groups and /proc/stat as on Linux")


def stat_line(user: int, nice: int, system: int, idle: int) -> str:
    return f"cpu  {user} {nice} {system} {idle} 0 0 0 0 0 0\ncpu0 1 2 3 4\n"


def test_host_times_count_niced_time_apart_from_the_other_busy_time() -> None:
    times = HostTimes.parse("cpu  100 40 20 800 10 3 2 5 0 0\ncpu0 50 20 10 400 5 1 1 2 0 0\n")
    assert times == HostTimes(total=980, normal_busy=125)


def test_the_policy_stops_on_a_busy_tick_and_continues_on_an_idle_one() -> None:
    policy = PacingPolicy(busy_share=0.25, max_pause_s=30.0, floor_run_s=2.0)
    assert policy.decide(0.1, now=0.0) is None, "a quiet host: training runs"
    assert policy.decide(0.6, now=1.0) is True
    assert policy.decide(0.9, now=5.0) is None, "still busy: stays stopped"
    assert policy.decide(0.1, now=6.0) is False
    assert policy.decide(0.3, now=6.5) is True, "no floor after a pause that ended by itself"
    assert (policy.pauses, policy.paused_s) == (2, 5.0)


def test_a_pause_ends_after_its_longest_and_the_training_then_runs_its_floor() -> None:
    policy = PacingPolicy(busy_share=0.25, max_pause_s=30.0, floor_run_s=2.0)
    assert policy.decide(1.0, now=0.0) is True
    assert policy.decide(1.0, now=29.0) is None
    assert policy.decide(1.0, now=30.0) is False, "a host that is never idle still trains"
    assert policy.decide(1.0, now=31.0) is None, "inside the floor's run"
    assert policy.decide(1.0, now=32.0) is True
    assert policy.pauses == 2 and policy.paused_s == 30.0


class Readings:
    """Cumulative /proc/stat figures the test advances, and the training process's own system ticks."""

    def __init__(self) -> None:
        self.user = self.nice = self.system = self.own_system = 0
        self.idle = 1000

    def advance(self, *, others: int = 0, training: int = 0, training_system: int = 0, idle: int = 0) -> None:
        self.user += others
        self.nice += training
        self.system += training_system
        self.own_system += training_system
        self.idle += idle

    def host(self) -> str:
        return stat_line(self.user, self.nice, self.system, self.idle)


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


def pacer_for(process: subprocess.Popen[bytes], readings: Readings) -> HostPacer:
    return HostPacer(
        process.pid,
        PacingPolicy(busy_share=0.25, max_pause_s=30.0, floor_run_s=2.0),
        read_host=readings.host,
        read_own_system_ticks=lambda pid: readings.own_system,
        clock=lambda: 0.0,
    )


def wait_stopped(process: subprocess.Popen[bytes]) -> None:
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status) and os.WSTOPSIG(status) == signal.SIGSTOP


def wait_continued(process: subprocess.Popen[bytes]) -> None:
    _, status = os.waitpid(process.pid, os.WCONTINUED)
    assert os.WIFCONTINUED(status)


def test_the_pacer_stops_the_process_group_while_others_are_busy_and_continues_it(
    child: subprocess.Popen[bytes],
) -> None:
    readings = Readings()
    pacer = pacer_for(child, readings)
    pacer.tick()  # the first reading only sets the baseline
    readings.advance(others=60, idle=40)
    pacer.tick()
    wait_stopped(child)
    assert pacer.stopped
    readings.advance(others=5, idle=95)
    pacer.tick()
    wait_continued(child)
    assert not pacer.stopped and pacer.policy.pauses == 1


def test_the_training_process_s_own_time_does_not_count_as_busy(child: subprocess.Popen[bytes]) -> None:
    readings = Readings()
    pacer = pacer_for(child, readings)
    pacer.tick()
    readings.advance(training=150, training_system=40, idle=10)  # the training alone uses the whole host
    pacer.tick()
    assert not pacer.stopped and pacer.policy.pauses == 0


def test_closing_continues_a_stopped_group_and_pacing_ends(child: subprocess.Popen[bytes]) -> None:
    readings = Readings()
    pacer = pacer_for(child, readings)
    pacer.tick()
    readings.advance(others=90, idle=10)
    pacer.tick()
    wait_stopped(child)
    pacer.close()
    wait_continued(child)
    readings.advance(others=90, idle=10)
    pacer.tick()
    assert not pacer.stopped, "no signal after close"
    pacer.close()  # again: nothing to do


def test_a_group_that_ended_is_not_an_error() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    process.wait()
    readings = Readings()
    pacer = pacer_for(process, readings)
    pacer.tick()
    readings.advance(others=90, idle=10)
    pacer.tick()
    pacer.close()
    assert not pacer.stopped
