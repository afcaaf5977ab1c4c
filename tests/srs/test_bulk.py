"""The cycle collector's full passes held off while a bank is read or imported (``srs.bulk``),
its young generations collected as ever, and its thresholds back after."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

import srs.bank_parts
from srs.bank import BankError
from srs.bulk import HELD_OLDEST_THRESHOLD, full_passes_held
from srs.sources import read_bank

BANK = "id: b\ntitle: B\nquestions:\n  - {id: q1, type: basic, prompt: p, answer: a}\n"
USUAL = (700, 10, 10)


@pytest.fixture(autouse=True)
def usual_thresholds() -> Iterator[None]:
    was, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(*USUAL)
    gc.enable()
    yield
    gc.set_threshold(*was)
    if not enabled:
        gc.disable()


def _held() -> bool:
    return gc.isenabled() and gc.get_threshold() == (*USUAL[:2], HELD_OLDEST_THRESHOLD)


@pytest.fixture
def seen_while_reading(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether full passes were held off each time a YAML file of a bank was read."""
    seen: list[bool] = []
    read_yaml = srs.bank_parts.read_yaml

    def noting(text: str):  # type: ignore[no-untyped-def]
        seen.append(_held())
        return read_yaml(text)

    monkeypatch.setattr(srs.bank_parts, "read_yaml", noting)
    return seen


def test_a_bank_is_read_with_full_passes_held_off_and_the_thresholds_back_after(
    write_bank, seen_while_reading: list[bool]
) -> None:
    read_bank(write_bank("b", {"bank.yaml": BANK}))
    assert seen_while_reading == [True]
    assert gc.get_threshold() == USUAL and gc.isenabled()


def test_the_thresholds_come_back_after_a_bank_that_fails(
    write_bank, seen_while_reading: list[bool]
) -> None:
    with pytest.raises(BankError):
        read_bank(write_bank("b", {"bank.yaml": BANK.replace("answer: a", "answer: ''")}))
    assert seen_while_reading == [True]
    assert gc.get_threshold() == USUAL


def test_a_zip_read_through_its_folder_holds_them_throughout(
    tmp_path: Path, write_bank, seen_while_reading: list[bool]
) -> None:
    from srs.export import bank_zip

    folder = read_bank(write_bank("b", {"bank.yaml": BANK}))
    archive = tmp_path / "b.zip"
    archive.write_bytes(bank_zip(folder))
    read_bank(archive)
    assert seen_while_reading == [True, True]
    assert gc.get_threshold() == USUAL


def test_garbage_cycles_made_meanwhile_are_collected_young() -> None:
    """A bank whose rendering leaves cycles behind cannot make the process hold them."""

    class Node:
        pass

    with full_passes_held():
        cycle = Node()
        cycle.itself = cycle  # type: ignore[attr-defined]
        gone = weakref.ref(cycle)
        del cycle
        kept = [[] for _ in range(100_000)]  # enough allocations for young collections
        assert gone() is None
    del kept


def test_thresholds_of_ones_own_are_what_comes_back() -> None:
    gc.set_threshold(1000, 5, 20)
    with full_passes_held():
        assert gc.get_threshold() == (1000, 5, HELD_OLDEST_THRESHOLD)
    assert gc.get_threshold() == (1000, 5, 20)


def test_the_thresholds_come_back_when_the_last_of_several_threads_leaves() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states: dict[str, bool] = {}

    def first() -> None:
        with full_passes_held():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with full_passes_held():
            second_in.set()
            first_out.wait(5)
            states["after the first left"] = _held()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert states == {"after the first left": True}
    assert gc.get_threshold() == USUAL


def test_a_bank_is_imported_with_full_passes_held_off(app, write_bank, monkeypatch) -> None:
    import services.bank_import
    from models import db

    seen: list[bool] = []
    kin_of = services.bank_import.kin_of

    def noting(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(_held())
        return kin_of(*args, **kwargs)

    monkeypatch.setattr(services.bank_import, "kin_of", noting)
    bank = read_bank(write_bank("b", {"bank.yaml": BANK}))
    with app.app_context():
        services.bank_import.import_bank(db.session, bank)
        db.session.rollback()
    assert seen == [True]
    assert gc.get_threshold() == USUAL
