"""The server killed with SIGKILL five times under load, and started again: nothing lost.

The clients carry on through the kills, sending each request again until the server is
back; an answer whose reply was lost is sent again with its ``review_token``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.reliability.harness import (
    Load,
    Server,
    check_log,
    make_learners,
    run_load,
    sqlite_verdict,
)

LEARNERS = 16
ANSWERS = 8
KILLS = 5


@pytest.mark.slow
def test_five_sigkills_under_load_leave_a_sound_database_and_every_answer(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    learners = make_learners(app, runner, tmp_path, LEARNERS)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    server = Server(url, tmp_path, workers=2)  # two, to start again sooner
    total = LEARNERS * 2 * ANSWERS
    killed_at: list[int] = []

    def kill_and_restart(load: Load) -> None:
        for kill in range(1, KILLS + 1):
            if not load.reach(total * kill // (KILLS + 1)):
                return
            server.kill()
            killed_at.append(load.answered())
            server.start()

    with server:
        load = run_load(server, learners, answers=ANSWERS, meanwhile=kill_and_restart)
    checked = check_log(app, load.answers)
    print(
        f"\ncrash: {KILLS} kills after {killed_at} answers; {load.summary()}; "
        f"checked {checked.cards} cards, {checked.reviews} reviews"
    )
    assert load.problems == [], "\n".join(load.problems)
    assert len(killed_at) == KILLS and server.starts == KILLS + 1
    assert load.answered() == total and load.retries > 0
    assert sqlite_verdict(url) == "ok"
    assert checked.problems == [], "\n".join(checked.problems[:40])
    log = server.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
