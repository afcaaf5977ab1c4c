"""Measure 1: the answer cycle in process, against Anki's own backend."""

from __future__ import annotations

import math
import random
import statistics
import time
from pathlib import Path
from typing import Any

from bench.measures.common import (
    RAISED_LIMIT,
    REPORTED,
    Measure,
    Size,
    fmt_ms,
    ms,
    percentile,
    summary,
    verdict,
)
from bench.measures.database import Learner
from bench.measures.floor import recorded, replay, snapshot

MOST_ANKI = 2.0  # the target: an answer costs at most twice Anki's
TARGET = f"≤ {MOST_ANKI:.0f}× Anki"


def _ratings(count: int) -> list[int]:
    rng = random.Random(11)
    return [1 if rng.random() < 0.15 else 3 for _ in range(count)]


def wengu_cycles(app: Any, learner: Learner, cycles: int) -> list[float]:
    from models import User, db
    from models.types import now_utc
    from services.answer_sql import read_answer_card
    from services.answers import answer
    from services.conflict import committed
    from services.context import Study
    from services.queue import next_card_with_load
    from srs.scheduler import Rating

    times = []
    with app.app_context():
        session = db.session
        bank_ids = list(learner.bank_ids)
        for rating in _ratings(cycles):
            started = time.perf_counter()
            # Read once, then kept: as the API's answer does, the commit leaves it unexpired.
            user = session.get_one(User, learner.id)

            def cycle(rating: int = rating, user: User = user) -> bool:
                # As the API's GET and POST do: the card chosen, then read to be answered
                # with its question's cards and the learner's kept load.
                shown, _, _ = next_card_with_load(Study.at(session, user, now_utc()), bank_ids)
                card = shown and read_answer_card(session, shown.id, user.id)
                if card is None:
                    return False
                answer(Study.at(session, user, now_utc()), card, Rating(rating), elapsed_ms=6000)
                return True

            if not committed(session, cycle, expire=False):
                break
            times.append(time.perf_counter() - started)
        session.remove()
    return times


def anki_collection(app: Any, learner: Learner, folder: Path) -> tuple[Any, dict[str, Any]]:
    """An Anki collection of the learner's cards with their schedule and answers, FSRS on,
    and as many review-log rows as the learner has."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from models import User, db
    from services.bank_export import learner_schedule, stored_bank
    from srs.export import export_bank

    packages = []
    with app.app_context():
        user = db.session.get_one(User, learner.id)
        for bank_id in learner.bank_ids:
            bank = stored_bank(db.session, bank_id)
            if bank is None:
                continue
            package = folder / f"{bank_id}.apkg"
            export_bank(
                bank,
                "apkg",
                package,
                scheduling=learner_schedule(db.session, user, bank_id),
                zone=user.timezone,
                rollover_hour=user.rollover_hour,
            )
            packages.append(package)
        settings = user.study_settings()
        db.session.remove()
    col = Collection(str(folder / "collection.anki2"))
    for package in packages:
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package),
                options=ImportAnkiPackageOptions(with_scheduling=True),
            )
        )
    col.set_config("fsrs", True)
    for conf in col.decks.all_config():
        conf["new"]["perDay"] = RAISED_LIMIT
        conf["rev"]["perDay"] = RAISED_LIMIT
        conf["new"]["delays"] = [step / 60 for step in settings.learning_steps]
        conf["lapse"]["delays"] = [step / 60 for step in settings.relearning_steps]
        conf["desiredRetention"] = settings.desired_retention
        conf["rev"]["maxIvl"] = settings.maximum_interval
        col.decks.update_config(conf)
    # The packages carry the learner's answers to the cards they hold; the rest of the
    # learner's reviews (of questions retired since) are made up, before the first real one.
    card_ids = col.db.list("SELECT id FROM cards")
    carried = col.db.scalar("SELECT count() FROM revlog")
    rng = random.Random(5)
    first = col.db.scalar("SELECT min(id) FROM revlog") or int(time.time() * 1000)
    missing = max(0, learner.reviews - carried)
    start = first - (missing + 1) * 1000
    rows = [
        (start + i * 1000, rng.choice(card_ids), -1, 3, 10, 5, 0, 6000, 1) for i in range(missing)
    ]
    if rows and card_ids:
        col.db.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    # Every bank's deck under one, so that studying it is studying the whole collection.
    parent = col.decks.id("Wengu")
    for deck in col.decks.all_names_and_ids(skip_empty_default=True):
        if "::" not in deck.name and deck.id not in (1, parent):
            col.decks.rename(deck.id, f"Wengu::{deck.name}")
    col.decks.select(parent)
    counts = col.sched.get_queued_cards()
    shape = {
        "cards": col.card_count(),
        "revlog": col.db.scalar("SELECT count() FROM revlog"),
        "studied": col.db.scalar("SELECT count() FROM cards WHERE type != 0"),
        "queued": [counts.new_count, counts.learning_count, counts.review_count],
    }
    return col, shape


def anki_cycles(col: Any, cycles: int) -> list[float]:
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    ratings = {1: CardAnswer.AGAIN, 3: CardAnswer.GOOD}
    times = []
    for rating in _ratings(cycles):
        started = time.perf_counter()
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            break
        top = queued.cards[0]
        card = Card(col, backend_card=top.card)
        card.start_timer()
        col.sched.answer_card(
            col.sched.build_answer(card=card, states=top.states, rating=ratings[rating])
        )
        times.append(time.perf_counter() - started)
    return times


def database_engine(app: Any) -> Any:
    from models import db

    with app.app_context():
        return db.engine


def measure_cycle(app: Any, learner: Learner, size: Size, work: Path) -> list[Measure]:
    try:
        import anki  # noqa: F401
    except ImportError:
        return [Measure(1, "Answer cycle in process (per answer)", "", "anki not installed", "",
                        TARGET, "skipped")]  # fmt: skip
    folder = work / "anki-cycle"
    folder.mkdir()
    started = time.perf_counter()
    col, shape = anki_collection(app, learner, folder)
    built = time.perf_counter() - started
    try:
        anki_times = anki_cycles(col, size.cycles)
    finally:
        col.close()
    engine = database_engine(app)
    floor_copy = work / "floor.sqlite3"
    if engine.dialect.name == "sqlite":
        snapshot(Path(engine.url.database), floor_copy)
    with recorded(engine) as statements:
        wengu_times = wengu_cycles(app, learner, size.cycles)
    lines = [_cycle_line(learner, shape, built, wengu_times, anki_times)]
    if engine.dialect.name == "sqlite":
        floor_times = replay(floor_copy, statements)
        floor_copy.unlink()
        if floor_times and wengu_times and anki_times:
            lines.append(_floor_line(floor_times, wengu_times, anki_times))
    return lines


def _floor_line(floor: list[float], wengu: list[float], anki: list[float]) -> Measure:
    floor_mean, anki_mean = statistics.fmean(floor), statistics.fmean(anki)
    above = statistics.fmean(wengu) - floor_mean
    return Measure(
        1,
        "Answer cycle's statements alone, replayed through the bare driver (SQLite)",
        f"{fmt_ms(ms(floor_mean))} mean, median {fmt_ms(ms(percentile(floor, 50)))}, "
        f"p99 {fmt_ms(ms(percentile(floor, 99)))}",
        f"Anki {fmt_ms(ms(anki_mean))} mean",
        f"{floor_mean / anki_mean:.1f}× Anki; Wengu's Python {fmt_ms(ms(above))} more",
        "none: the database's share",
        REPORTED,
        {"floor_ms": summary(floor), "python_ms": round(ms(above), 3)},
    )


def _cycle_line(
    learner: Learner, shape: dict[str, Any], built: float, wengu_times: list[float],
    anki_times: list[float],
) -> Measure:  # fmt: skip
    wengu_mean = statistics.fmean(wengu_times) if wengu_times else math.nan
    anki_mean = statistics.fmean(anki_times) if anki_times else math.nan
    ratio = wengu_mean / anki_mean
    return Measure(
        1,
        f"Answer cycle in process ({learner.name}: {shape['cards']:,} cards, "
        f"{shape['revlog']:,} reviews; {len(wengu_times)} answers)",
        f"{fmt_ms(ms(wengu_mean))} mean, p99 {fmt_ms(ms(percentile(wengu_times, 99)))}",
        f"Anki {fmt_ms(ms(anki_mean))} mean, p99 {fmt_ms(ms(percentile(anki_times, 99)))}",
        f"{ratio:.1f}× Anki",
        TARGET,
        verdict(ratio <= MOST_ANKI),
        {
            "learner": learner.name,
            "wengu_ms": summary(wengu_times),
            "anki_ms": summary(anki_times),
            "ratio": round(ratio, 3),
            "anki_collection": shape | {"built_s": round(built, 2)},
            "wengu_learner": {"cards": learner.cards, "reviews": learner.reviews},
        },
    )
