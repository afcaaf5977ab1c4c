"""A large bank's texts rendered ahead by worker processes (srs.ahead) read as rendered here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from config import PROJECT_ROOT
from srs import ahead, render, validate
from srs.bank import Bank, BankError
from srs.sources import load_bank

QUESTIONS = 60  # in three files, each question with three texts


def _question(number: int) -> str:
    return f"""
  - id: q{number}
    type: basic
    prompt: "Which **flag** of `docker run` names container {number}?"
    answer: "`--name` {number}"
    explanation: |
      Give it with the image:

      ```bash
      docker run --name web{number} -d nginx:1.{number}
      ```
"""


def _bank_files(bad_fence_in: int | None = None) -> dict[str, str]:
    files = {"bank.yaml": "id: ahead\ntitle: Rendered ahead\n"}
    for part in range(3):
        numbers = range(part * QUESTIONS // 3, (part + 1) * QUESTIONS // 3)
        files[f"part{part}.yaml"] = "questions:\n" + "".join(_question(n) for n in numbers)
    if bad_fence_in is not None:
        files["part1.yaml"] += _question(999).replace("```bash", "```{.bash linenostep=0}")
    return files


class Spy(ahead.RenderAhead):
    """A RenderAhead that starts its workers from a few texts, and remembers itself."""

    made: ClassVar[list[Spy]] = []

    def __init__(self) -> None:
        super().__init__(start_from=20)
        Spy.made.append(self)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing rendered yet in this process, workers allowed on any machine, and the spy."""
    render.prepare.cache_clear()
    Spy.made = []
    monkeypatch.setattr(validate, "RenderAhead", Spy)
    monkeypatch.setattr(ahead, "ahead_workers", lambda: 2)
    yield
    render.prepare.cache_clear()


def _read(root: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> Bank:
    render.prepare.cache_clear()
    monkeypatch.setattr(ahead, "ahead_workers", lambda: workers)
    return load_bank(root)


def _problems(root: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    with pytest.raises(BankError) as raised:
        _read(root, workers, monkeypatch)
    return [str(problem) for problem in raised.value.problems]


def test_a_bank_read_with_workers_is_the_bank_read_here(
    write_bank, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _bank_files())
    alone = _read(root, 0, monkeypatch)
    here = {text: render.prepare(text) for text in _texts(alone)}
    assert not Spy.made[-1].sent

    helped = _read(root, 2, monkeypatch)
    assert Spy.made[-1].sent >= len(here) == 3 * QUESTIONS
    assert helped == alone
    for text, prepared in here.items():
        # Each text is taken from what the workers rendered: the same HTML, but for the
        # stand-in of its images, which every rendering draws afresh.
        taken = render.prepare(text)
        assert taken.html == prepared.html and taken.problems == prepared.problems, text
    # Read again (the question editor checks the bank at each change): nothing is sent.
    load_bank(root)
    assert Spy.made[-1].sent == 0


def _texts(bank: Bank) -> list[str]:
    return [
        text
        for question in bank.questions
        for text in (question.prompt, question.answer, question.explanation)
        if isinstance(text, str)
    ]


def test_a_text_that_fails_to_render_is_the_same_problem_with_workers(
    write_bank, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _bank_files(bad_fence_in=1))
    alone = _problems(root, 0, monkeypatch)
    assert len(alone) == 1 and "code block option 'linenostep' is not allowed" in alone[0]
    assert _problems(root, 2, monkeypatch) == alone
    assert Spy.made[-1].sent


# What a worker runs is found by name: these stand for it at module level.
def _fails(texts: list[str]) -> list[tuple[str, render.Prepared]]:
    raise OSError("worker lost")


def _dies(texts: list[str]) -> list[tuple[str, render.Prepared]]:
    os._exit(1)


def _slow(texts: list[str]) -> list[tuple[str, render.Prepared]]:
    time.sleep(60)
    return []


def test_texts_a_worker_does_not_give_back_are_rendered_here(
    write_bank, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that fails, or never answers, costs time, not the bank."""
    root = write_bank("bank", _bank_files())
    alone = _read(root, 0, monkeypatch)

    monkeypatch.setattr(ahead, "_render", _fails)
    assert _read(root, 2, monkeypatch).questions == alone.questions
    assert Spy.made[-1].sent

    monkeypatch.setattr(ahead, "_render", _dies)
    monkeypatch.setattr(ahead, "_WAIT_SECONDS", 0.5)
    assert _read(root, 2, monkeypatch).questions == alone.questions


def test_what_workers_render_is_kept_as_prepare_keeps_it_and_not_sent_again(
    fresh: None,
) -> None:
    texts = [f"`docker rm -f c{n}`" for n in range(30)]
    with ahead.RenderAhead(start_from=10) as workers:
        workers.add(texts)
        workers.send()
        workers.collect()
    assert all(text in render.prepare.cache for text in texts)
    with ahead.RenderAhead(start_from=1) as again:
        again.add([*texts, "`docker ps`"])
        again.send()
        assert again.sent == 1


def test_no_workers_while_another_thread_runs_or_on_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forking while a thread may hold a lock could leave the worker waiting for ever."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert ahead.ahead_workers() == 3
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert ahead.ahead_workers() == 0
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert ahead.ahead_workers() == 0


def test_few_texts_start_no_workers(fresh: None) -> None:
    with ahead.RenderAhead(start_from=10) as workers:
        workers.add(["`a`", "`b`", "`a`"])
        workers.send()
        assert workers.sent == 0
        workers.collect()
    assert not render.prepare.cache


def test_workers_end_whatever_signal_handling_they_were_forked_with(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server's worker only notes a SIGTERM: a render worker forked from it, still busy
    when the reading gives up waiting, ends all the same."""

    def noted(number: int, frame: object) -> None:
        pass

    def stuck(number: int, frame: object) -> None:
        raise RuntimeError("a busy worker did not end")  # not an OSError: waitpid eats those

    monkeypatch.setattr(ahead, "_render", _slow)
    monkeypatch.setattr(ahead, "_WAIT_SECONDS", 0.2)
    before = signal.signal(signal.SIGTERM, noted)
    alarm = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(20)
    try:
        with ahead.RenderAhead(start_from=1) as workers:
            workers.add(["`docker ps`"])
            workers.send()
            workers.collect()
            assert "`docker ps`" not in render.prepare.cache
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, alarm)
        signal.signal(signal.SIGTERM, before)


_ORPHANED = """
import sys, time
import srs.ahead

def slow(texts):
    time.sleep(60)
    return []

srs.ahead._render = slow
workers = srs.ahead.RenderAhead(start_from=1)
workers.add(["`docker ps`", "`docker images`"])
workers.send()
print(" ".join(str(worker.pid) for worker in workers._pool._pool), flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_workers_die_with_the_process_that_forked_them() -> None:
    """A server's worker killed outright (SIGKILL, the OOM killer) leaves no render worker
    busy behind it."""
    command = [sys.executable, "-c", _ORPHANED]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True) as parent:
        try:
            assert parent.stdout is not None
            pids = [int(pid) for pid in parent.stdout.readline().split()]
            assert pids and all(_running(pid) for pid in pids)
            time.sleep(0.3)  # each worker busy with its texts
        finally:
            parent.kill()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)


# Work handed to workers (WorkAhead): found by name, at module level.
_PARENT = os.getpid()


def _square(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def _fails_in_a_worker(number: int) -> tuple[int, int]:
    if os.getpid() != _PARENT:
        raise OSError("worker lost")
    return _square(number)


def test_work_ahead_gives_every_result_in_order_from_the_workers(fresh: None) -> None:
    calls = [(number,) for number in range(230)]
    with ahead.WorkAhead(_square, calls, start_from=10) as work:
        results = work.results()
    assert [square for square, _ in results] == [n * n for n in range(230)]
    assert {pid for _, pid in results} - {os.getpid()}  # made by the workers


def test_work_ahead_does_here_what_workers_fail_at_and_below_its_threshold(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ahead.WorkAhead(_fails_in_a_worker, [(n,) for n in range(120)], start_from=10) as work:
        assert [square for square, _ in work.results()] == [n * n for n in range(120)]
    monkeypatch.setattr(ahead, "_fork_pool", lambda workers: pytest.fail("forked"))
    with ahead.WorkAhead(_square, [(n,) for n in range(9)], start_from=10) as work:
        assert work.results() == [(n * n, os.getpid()) for n in range(9)]


def _dies_in_a_worker(number: int) -> tuple[int, int]:
    if os.getpid() != _PARENT and number == 7:
        os._exit(1)  # as the kernel's OOM killer would end it
    return _square(number)


def test_a_lost_worker_is_not_waited_for(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its work would never come back: what is left is done here, without waiting long."""
    monkeypatch.setattr(ahead, "_WAIT_SECONDS", 120.0)
    began = time.monotonic()
    with ahead.WorkAhead(
        _dies_in_a_worker, [(n,) for n in range(40)], start_from=1, chunk=1
    ) as work:
        results = work.results()
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert time.monotonic() - began < 30


def test_an_import_whose_renderings_workers_made_stores_what_one_made_here(
    app, write_bank, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    import services.bank_import
    from models import Question, db

    root = write_bank("bank", _bank_files())
    bank = load_bank(root)
    stored = {}
    forks = []
    fork_pool = ahead._fork_pool
    monkeypatch.setattr(ahead, "_fork_pool", lambda n: forks.append(n) or fork_pool(n))
    for workers in (0, 2):
        monkeypatch.setattr(ahead, "ahead_workers", lambda: workers)  # noqa: B023
        monkeypatch.setattr(ahead, "AHEAD_FROM", 10)
        with app.app_context():
            services.bank_import.import_bank(db.session, bank)
            stored[workers] = db.session.execute(select(Question.key, Question.faces)).all()
            db.session.rollback()
    assert forks == [2]
    assert len(stored[2]) == QUESTIONS and sorted(stored[2]) == sorted(stored[0])


def test_work_ahead_stops_its_workers_when_handing_them_work_is_interrupted(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools = []
    fork_pool = ahead._fork_pool

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    def spied(workers: int):  # type: ignore[no-untyped-def]
        pool = fork_pool(workers)
        pools.append(pool)
        monkeypatch.setattr(pool, "apply_async", interrupted)
        return pool

    monkeypatch.setattr(ahead, "_fork_pool", spied)
    with pytest.raises(KeyboardInterrupt):
        ahead.WorkAhead(_square, [(n,) for n in range(20)], start_from=1)
    assert len(pools) == 1
    assert not any(worker.is_alive() for worker in pools[0]._pool)
