"""The task runner's order: jobs start once the click that asked for them is done, the board's
read jumps the other interactive jobs, and quiet re-checks wait until those are answered."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from evidence_desk.ui.common.tasks import TaskRunner


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    assert r.shutdown(10000)


def recorder(order: list[str], name: str, gate: threading.Event | None = None) -> Any:
    def job(_p: Any, _c: Any) -> str:
        order.append(name)
        if gate is not None:
            gate.wait(10)
        return name

    return job


def test_a_job_starts_after_the_code_that_asked_returns_to_the_event_loop(qtbot, runner):
    started = threading.Event()
    runner.run(lambda _p, _c: started.set(), group="checks")
    time.sleep(0.15)  # still inside the "click": nothing may compete with it yet
    assert not started.is_set()
    assert runner.interactive_busy()
    qtbot.waitUntil(started.is_set, timeout=5000)
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)
    assert not runner.interactive_busy()


def test_the_boards_read_jumps_the_queued_interactive_jobs(qtbot, runner):
    order: list[str] = []
    gates = [threading.Event(), threading.Event()]
    for n, gate in enumerate(gates):  # both interactive threads busy
        runner.run(recorder(order, f"busy{n}", gate), group="statement")
    qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
    runner.run(recorder(order, "checks"), group="checks")
    runner.run(recorder(order, "flow"), group="flow")
    runner.run(recorder(order, "board"), group="board-load")
    qtbot.wait(50)  # all three handed to the pool and waiting there
    # One thread comes free: it takes the board's read, though it was asked for last.
    gates[0].set()
    qtbot.waitUntil(lambda: len(order) >= 3, timeout=5000)
    assert order[2] == "board"
    gates[1].set()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)
    assert sorted(order[3:]) == ["checks", "flow"]


def test_a_cases_quiet_recheck_waits_for_the_interactive_reads(qtbot, runner):
    order: list[str] = []
    gate = threading.Event()
    runner.run(recorder(order, "checks", gate), group="checks")
    runner.run(recorder(order, "recheck"), group="integrity-case")
    qtbot.waitUntil(lambda: order == ["checks"], timeout=5000)
    qtbot.wait(150)
    assert order == ["checks"]  # the bulk pool is free, yet the recheck waits
    gate.set()
    qtbot.waitUntil(lambda: order == ["checks", "recheck"], timeout=5000)
    # With nothing interactive running it starts at once.
    runner.run(recorder(order, "again"), group="integrity-case")
    qtbot.waitUntil(lambda: order[-1] == "again", timeout=5000)


def test_shutdown_drops_jobs_not_started_yet(qtbot):
    runner = TaskRunner()
    ran = threading.Event()
    runner.run(lambda _p, _c: ran.set(), group="checks")
    assert runner.shutdown(5000)
    qtbot.wait(50)
    assert not ran.is_set()
