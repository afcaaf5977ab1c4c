"""The cycle collector paused while a bank is read (``srs.bulk``), and running again after."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import srs.sources
from srs.bank import BankError
from srs.bulk import collector_paused
from srs.sources import read_bank

BANK = "id: b\ntitle: B\nquestions:\n  - {id: q1, type: basic, prompt: p, answer: a}\n"


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.fixture
def seen_while_reading(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector ran each time a YAML file of a bank was read."""
    seen: list[bool] = []
    read_yaml = srs.sources.read_yaml

    def noting(text: str):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return read_yaml(text)

    monkeypatch.setattr(srs.sources, "read_yaml", noting)
    return seen


def test_a_bank_is_read_with_the_collector_off_and_it_runs_again_after(
    write_bank, seen_while_reading: list[bool]
) -> None:
    read_bank(write_bank("b", {"bank.yaml": BANK}))
    assert seen_while_reading == [False]
    assert gc.isenabled()


def test_the_collector_runs_again_after_a_bank_that_fails(
    write_bank, seen_while_reading: list[bool]
) -> None:
    with pytest.raises(BankError):
        read_bank(write_bank("b", {"bank.yaml": BANK.replace("answer: a", "answer: ''")}))
    assert seen_while_reading == [False]
    assert gc.isenabled()


def test_a_zip_read_through_its_folder_turns_the_collector_on_once_at_the_end(
    tmp_path: Path, write_bank, seen_while_reading: list[bool]
) -> None:
    from srs.export import bank_zip

    folder = read_bank(write_bank("b", {"bank.yaml": BANK}))
    archive = tmp_path / "b.zip"
    archive.write_bytes(bank_zip(folder))
    read_bank(archive)
    assert seen_while_reading == [False, False]
    assert gc.isenabled()


def test_a_collector_off_before_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_comes_back_when_the_last_of_several_threads_leaves() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states: dict[str, bool] = {}

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collector_paused():
            second_in.set()
            first_out.wait(5)
            states["after the first left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert states == {"after the first left": False}
    assert gc.isenabled()


def test_a_bank_is_imported_with_the_collector_off(app, write_bank, monkeypatch) -> None:
    import services.bank_import
    from models import db

    seen: list[bool] = []
    bank_kin = services.bank_import.bank_kin

    def noting(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return bank_kin(*args, **kwargs)

    monkeypatch.setattr(services.bank_import, "bank_kin", noting)
    bank = read_bank(write_bank("b", {"bank.yaml": BANK}))
    with app.app_context():
        services.bank_import.import_bank(db.session, bank)
        db.session.rollback()
    assert seen == [False]
    assert gc.isenabled()
