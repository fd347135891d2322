"""Issue 9 §9 through the command line, on SQLite and PostgreSQL: the same registry imported by
two processes at once is posted exactly once; an import killed with SIGKILL leaves nothing of
its file behind, and running it again posts it exactly once.

The processes are forks of the test process running ``zhkh payments import`` (a fork costs
milliseconds where a fresh interpreter costs seconds). Inside them the finance service's
``import_registry`` is wrapped only to say «the unit of work is open» (the kill test) or to wait
for the other process (the race test, so both reach the database together); the real function
runs in both.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from .conftest import Town, payment, registry_file, runner

ROUNDS_RACE = 50
ROUNDS_KILL = 30
FORK = multiprocessing.get_context("fork")


def _import_in_child(url: str, path: str, before: Any) -> None:
    """The child: ``zhkh payments import`` with ``before()`` called inside its unit of work."""
    from zhkh.adapters.cli.main import app
    from zhkh.modules.finance import service

    real = service.import_registry

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        before()
        return real(*args, **kwargs)

    service.import_registry = wrapped
    result = runner.invoke(app, ["payments", "import", path, "--database", url,
                                 "--received-on", "2026-10-06"])
    sys.exit(result.exit_code)


def _lines(town: Town, n: int, count: int) -> list[Any]:
    """``count`` payments of round ``n`` (operation ids unique to the round)."""
    return [payment(town.accounts[i % 3], 1_000 + i, n * 100_000 + i) for i in range(count)]


def _unit_of_work_seconds(town: Town, path: Path) -> float:
    """How long an import takes from its unit of work's start to the process's end."""
    inside = FORK.Event()
    child = FORK.Process(target=_import_in_child, args=(town.url, str(path), inside.set))
    child.start()
    assert inside.wait(60)
    began = time.monotonic()
    child.join(60)
    assert child.exitcode == 0
    return time.monotonic() - began


def _registry_state(town: Town, name: str) -> tuple[int, int, int]:
    """(registries, lines, payments) of the file called ``name``."""
    registries = town.scalar(f"select count(*) from payment_registries where file_name = "
                             f"'{name}'")
    lines = town.scalar(f"select count(*) from registry_lines l join payment_registries r "
                        f"on r.id = l.registry_id where r.file_name = '{name}'")
    payments = town.scalar(f"select count(*) from payments p join registry_lines l on "
                           f"l.id = p.registry_line_id join payment_registries r on "
                           f"r.id = l.registry_id where r.file_name = '{name}'")
    return registries, lines, payments


def _money_balances(town: Town) -> None:
    """Every payment's allocation rows sum to the payment (nothing half written)."""
    unbalanced = town.scalar(
        "select count(*) from payments p where p.amount_kopecks <> coalesce((select "
        "sum(a.amount_kopecks) from payment_allocations a where a.payment_id = p.id), 0)")
    assert unbalanced == 0


def test_two_processes_importing_the_same_file_at_once_post_it_exactly_once(town, tmp_path):
    for n in range(ROUNDS_RACE):
        path = registry_file(tmp_path / f"race-{n}.txt", _lines(town, n, 5))
        barrier = FORK.Barrier(2)
        children = [FORK.Process(target=_import_in_child,
                                 args=(town.url, str(path), partial(barrier.wait, 30)))
                    for _ in range(2)]
        for child in children:
            child.start()
        for child in children:
            child.join(120)
        codes = sorted(child.exitcode for child in children)
        assert codes == [0, 3], f"round {n}: exit codes {codes}"
        assert _registry_state(town, path.name) == (1, 5, 5), f"round {n}"
    _money_balances(town)
    assert town.scalar("select count(*) from payments") == 5 * ROUNDS_RACE


def test_an_import_killed_in_the_middle_leaves_nothing_and_the_rerun_posts_it_once(
        town, tmp_path):
    rng = random.Random(20261207)
    lines = 1_000
    window = _unit_of_work_seconds(town, registry_file(tmp_path / "probe.txt",
                                                      _lines(town, 999, lines)))
    killed_inside = 0
    for n in range(ROUNDS_KILL):
        path = registry_file(tmp_path / f"kill-{n}.txt", _lines(town, n, lines))
        inside = FORK.Event()
        child = FORK.Process(target=_import_in_child, args=(town.url, str(path), inside.set))
        child.start()
        assert inside.wait(60), f"round {n}: the import never began"
        time.sleep(rng.uniform(0, window * 0.8))
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        state = _registry_state(town, path.name)
        assert state in ((0, 0, 0), (1, lines, lines)), f"round {n}: partial file {state}"
        if child.exitcode == -signal.SIGKILL and state == (0, 0, 0):
            killed_inside += 1
        rerun = town.run("payments", "import", path, "--received-on", "2026-10-06")
        assert rerun.exit_code == (0 if state == (0, 0, 0) else 3), rerun.output
        assert _registry_state(town, path.name) == (1, lines, lines), f"round {n}"
    _money_balances(town)
    assert killed_inside >= ROUNDS_KILL // 2, f"only {killed_inside} kills inside the import"
