"""32 clients answering at once against gunicorn with several workers: nothing lost.

Runs on SQLite, and on PostgreSQL when ``WENGU_TEST_DATABASE_URL`` is set (the server then
uses the suite's database).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.reliability.harness import Server, check_log, make_learners, run_load

LEARNERS = 16  # each on two clients at once: 32 clients
ANSWERS = 12  # by each client


@pytest.mark.slow
def test_32_clients_with_repeats_and_drops_lose_no_answer(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    learners = make_learners(app, runner, tmp_path, LEARNERS)
    with Server(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, workers=3) as server:
        load = run_load(server, learners, clients_per_learner=2, answers=ANSWERS)
    checked = check_log(app, load.answers)
    print(f"\nload: {load.summary()}; checked {checked.cards} cards, {checked.reviews} reviews")
    assert load.problems == [], "\n".join(load.problems)
    assert load.answered() == LEARNERS * 2 * ANSWERS
    assert load.duplicates > 0 and load.drops > 0
    assert not [status for status in load.statuses if status >= 500]
    assert checked.problems == [], "\n".join(checked.problems[:40])
    log = server.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
