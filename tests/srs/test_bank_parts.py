"""A large bank's files after the first read by worker processes (srs.bank_parts): the same
bank, or the same problems, as read here."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

import services.bank_import
from models import db
from models.bank import Question
from srs import ahead, bank_parts, render
from srs.bank import Bank, BankError
from srs.bank_parts import Importing, made_of
from srs.faces import Kept, faces_of, question_faces
from srs.kin import kin_read
from srs.sources import load_bank
from srs.validate import BankReader

NOTES = "# 镜像\n\n只读模板。\n\n## 镜像摘要\n\n内容寻址。\n"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20">'
    '<text x="2" y="14">layer</text></svg>'
)
BANK = """\
id: parts
title: Read in parts
language: zh
notes: [notes/docker-notes.md]
sections:
  - {id: images, title: 镜像}
questions:
  - id: q0
    type: basic
    prompt: What is an image made of?
    answer: Read-only **layers**.
"""


def _part(first: int, count: int) -> str:
    questions = []
    for number in range(first, first + count):
        questions.append(f"""
  - id: q{number}
    type: basic
    section: images
    source: docker-notes.md#镜像摘要
    prompt: "Which flag of `docker run` names container {number}?"
    answer: "`--name` {number}"
    explanation: |
      ![layers](diagrams/layers.svg)

      ```bash
      docker run --name web{number} -d nginx:1.{number}
      ```
  - id: c{number}
    type: cloze
    text: "`docker image ls` lists {{{{c1::local images}}}} of host {number}."
  - id: m{number}
    type: choice
    prompt: Which command removes container {number}?
    choices: ["`docker rm c{number}`", "`docker rmi c{number}`"]
    correct: 0
""")
    return "questions:" + "".join(questions)


def _files() -> dict[str, str]:
    return {
        "bank.yaml": BANK,
        "notes/docker-notes.md": NOTES,
        "diagrams/layers.svg": SVG,
        **{f"part{n}.yaml": _part(1 + 10 * n, 10) for n in range(3)},
    }


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The workers forked for each read, any machine allowed them, nothing rendered yet."""
    forked: list[int] = []
    fork_pool = ahead._fork_pool
    monkeypatch.setattr(ahead, "_fork_pool", lambda n: forked.append(n) or fork_pool(n))
    monkeypatch.setattr(ahead, "ahead_workers", lambda: 2)
    render.prepare.cache_clear()
    yield forked
    render.prepare.cache_clear()


def _read(
    root: Path,
    in_parts: bool,
    monkeypatch: pytest.MonkeyPatch,
    importing: Importing | None = None,
) -> Bank:
    render.prepare.cache_clear()
    monkeypatch.setattr(bank_parts, "PARTS_AHEAD_FROM", 0 if in_parts else 1 << 40)
    return load_bank(root, importing=importing)


def _nothing_kept(bank_id: str) -> set[str]:
    return set()


def _problems(root: Path, in_parts: bool, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    with pytest.raises(BankError) as raised:
        _read(root, in_parts, monkeypatch)
    return [str(problem).replace(f"{root}/", "") for problem in raised.value.problems]


def test_a_bank_read_in_parts_is_the_bank_read_here(
    write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _files())
    here = _read(root, False, monkeypatch)
    rendered_here = dict(render.prepare.cache)
    assert not forks

    in_parts = _read(root, True, monkeypatch)
    assert forks == [2]
    assert in_parts == here and len(in_parts.questions) == 91
    assert [q.passage for q in in_parts.questions[1:4]] == ["docker-notes.md#镜像摘要", None, None]
    assert [d.path for d in in_parts.diagrams] == ["diagrams/layers.svg"]
    assert in_parts.made_ahead == {}  # read for no import
    # The workers' renderings are kept here, as prepare keeps its own, images and all.
    for text, prepared in rendered_here.items():
        taken = render.prepare.cache[text]
        assert taken.html is not None and prepared.html is not None
        assert taken.images == prepared.images and taken.problems == prepared.problems
        stand_in = taken.stand_in or "\0"
        assert taken.html.replace(stand_in, prepared.stand_in or "\0") == prepared.html


def test_a_bank_read_to_be_imported_carries_what_importing_its_parts_makes(
    write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _files())
    assert _read(root, False, monkeypatch, _nothing_kept).made_ahead == {}
    asked: list[str] = []
    in_parts = _read(root, True, monkeypatch, lambda bank_id: asked.append(bank_id) or set())
    assert asked == ["parts"]
    # The workers' renderings stay with them: what they made holds what the import needs.
    assert not [text for text in render.prepare.cache if "container" in text]
    made = in_parts.made_ahead
    # Each question of the files after bank.yaml, by what it is made from; made as here.
    parts = in_parts.questions[1:]
    assert len(made) == len(parts) == 90
    for question in parts:
        found = made[faces_of(*_asked(question), "zh")]
        assert _unstood(found.faces) == _unstood(question_faces(*_asked(question), "zh"))
        assert found.kin == kin_read(*_asked(question))
    assert faces_of(*_asked(in_parts.questions[0]), "zh") not in made


def test_renderings_kept_already_are_not_made_again(
    write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _files())
    questions = _read(root, False, monkeypatch).questions[1:]
    kept = {faces_of(*_asked(question), "zh") for question in questions[::2]}
    made = _read(root, True, monkeypatch, lambda bank_id: kept).made_ahead
    assert len(made) == 90
    for question in questions:
        key = faces_of(*_asked(question), "zh")
        assert (made[key].faces is None) == (key in kept)
        assert made[key].kin == kin_read(*_asked(question))


def _unstood(faces: dict[str, Kept] | None) -> dict[str, Kept] | None:
    """``faces`` with each image's stand-in, drawn afresh for each rendering, named alike."""
    if faces is None:
        return None
    return {
        key: [kept[0].replace(kept[1], "STAND-IN"), "STAND-IN", kept[2]]
        if isinstance(kept, list)
        else kept
        for key, kept in faces.items()
    }


def _asked(question):  # type: ignore[no-untyped-def]
    return question.type, question.content(), question.explanation


def test_a_part_with_a_problem_makes_nothing_to_import(write_bank) -> None:
    files = _files()
    files["part1.yaml"] = files["part1.yaml"].replace("section: images", "section: image", 1)
    root = write_bank("bank", files)
    reader = BankReader(root, str(root), 1 << 20)
    bank_parts.read_file(reader, root / "bank.yaml", "bank.yaml", first=True)
    read = [
        bank_parts._read_part(bank_parts._part_reader(reader), root / name, name, "zh", set())
        for name in ("part0.yaml", "part1.yaml")
    ]
    assert len(read[0].made) == 30 and not read[0].problems
    assert read[1].made == {} and read[1].problems


def _imported(bank: Bank) -> list[tuple[object, ...]]:
    services.bank_import.import_bank(db.session, bank)
    rows = db.session.execute(
        db.select(Question.key, Question.faces, Question.faces_of, Question.kin).order_by(
            Question.position
        )
    )
    stored = [(key, _unstood(faces), *rest) for key, faces, *rest in rows]
    db.session.rollback()
    return stored


@pytest.fixture
def made_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The prompt of each question whose renderings the import makes itself."""
    made: list[str] = []
    faces = services.bank_import.question_faces
    monkeypatch.setattr(
        services.bank_import,
        "question_faces",
        lambda *asked: made.append(asked[1].get("prompt")) or faces(*asked),
    )
    return made


def test_a_bank_imported_from_what_its_reading_made_is_stored_as_any(
    app, write_bank, forks: list[int], made_here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files()
    for n in range(3):  # kin by words too: an answer stated by a question near it
        files[f"part{n}.yaml"] = files[f"part{n}.yaml"].replace(
            "lists {{c1::local images}}", "lists {{c1::local images}} (`--name`)"
        )
    root = write_bank("bank", files)
    here = _read(root, False, monkeypatch)
    in_parts = _read(root, True, monkeypatch, _nothing_kept)
    with app.app_context():
        stored_here = _imported(here)
        assert len(made_here) == 91
        made_here.clear()
        assert _imported(in_parts) == stored_here
    # Only bank.yaml's question was made by the import; the rest came made.
    assert made_here == ["What is an image made of?"]
    assert any(kin for *_, kin in stored_here)


def test_a_bank_imported_again_makes_only_the_renderings_it_lacks(
    app, write_bank, forks: list[int], made_here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _files())
    with app.app_context():
        services.bank_import.import_bank(db.session, _read(root, False, monkeypatch))
        db.session.commit()
        part = root / "part1.yaml"
        part.write_text(part.read_text().replace("names container 12?", "names box 12?"))
        kept = partial(services.bank_import.kept_faces, db.session)
        in_parts = _read(root, True, monkeypatch, kept)
        assert [m.faces is None for m in in_parts.made_ahead.values()].count(False) == 1
        made_here.clear()
        stored = _imported(in_parts)
        assert made_here == [] and _imported(_read(root, False, monkeypatch)) == stored
        assert made_here == ["Which flag of `docker run` names box 12?"]


def test_a_bad_bank_read_in_parts_has_the_problems_read_here(
    write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files()
    files["bank.yaml"] = BANK.replace(
        "answer: Read-only **layers**.",
        "answer: |\n      ```{.bash linenostep=0}\n      x\n      ```",
    )
    files["part0.yaml"] = files["part0.yaml"].replace(
        "    section: images\n", "    sectoin: x\n", 1
    )
    files["part1.yaml"] = files["part1.yaml"].replace("id: q11\n", "id: q3\n")
    files["part1.yaml"] = files["part1.yaml"].replace("id: q12\n", "id: q13\n")
    files["part2.yaml"] = files["part2.yaml"].replace("section: images", "section: image", 1)
    files["part2.yaml"] = files["part2.yaml"].replace(
        "```bash\n      docker run --name web22",
        "```{.bash linenostep=0}\n      docker run --name web22",
    )
    root = write_bank("bank", files)

    here = _problems(root, False, monkeypatch)
    assert _problems(root, True, monkeypatch) == here
    assert forks == [2]
    assert [problem.split(":", 1)[0] for problem in here] == [
        "bank.yaml", "part0.yaml", "part1.yaml", "part1.yaml", "part2.yaml", "part2.yaml",
    ]  # fmt: skip
    assert "'id' is used twice (first at " in here[2] and "part0.yaml:" in here[2]
    assert "'id' is used twice (first at " in here[3] and "part1.yaml:" in here[3]


def _fails_in_a_worker(*arguments):  # type: ignore[no-untyped-def]
    if os.getpid() != _PARENT:
        raise OSError("worker lost")
    return _READ_PART(*arguments)


_PARENT = os.getpid()
_READ_PART = bank_parts._read_part


def test_a_file_a_worker_does_not_give_back_is_read_here(
    write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _files())
    here = _read(root, False, monkeypatch)
    monkeypatch.setattr(bank_parts, "_read_part", _fails_in_a_worker)
    in_parts = _read(root, True, monkeypatch, _nothing_kept)
    assert in_parts == here
    assert forks == [2]
    made = dict(made_of(q, "zh") for q in in_parts.questions[1:])
    assert in_parts.made_ahead.keys() == made.keys()


def test_a_small_bank_or_one_part_is_read_here(
    write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _files())
    load_bank(root)  # the bank is far below PARTS_AHEAD_FROM
    one = write_bank("one", {"bank.yaml": BANK, "notes/docker-notes.md": NOTES, "p.yaml": ""})
    monkeypatch.setattr(bank_parts, "PARTS_AHEAD_FROM", 0)
    with pytest.raises(BankError):
        load_bank(one)
    assert not forks


def test_a_worker_forks_no_workers_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two cores and one thread, here and in the worker forked (whatever other tests left).
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    pool = ahead._fork_pool(1)
    try:
        assert pool.apply(ahead.ahead_workers, ()) == 0
    finally:
        pool.terminate()
        pool.join()
    assert ahead.ahead_workers() == 2


def test_bank_import_reads_a_large_bank_to_be_imported(
    runner, write_bank, forks: list[int], made_here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cli

    root = write_bank("bank", _files())
    monkeypatch.setattr(bank_parts, "PARTS_AHEAD_FROM", 0)
    asked: list[tuple[str, int]] = []
    kept_faces = cli.kept_faces

    def noting(session, bank_id: str) -> set[str]:  # type: ignore[no-untyped-def]
        found = kept_faces(session, bank_id)
        asked.append((bank_id, len(found)))
        return found

    monkeypatch.setattr(cli, "kept_faces", noting)
    for _ in range(2):
        result = runner.invoke(args=["bank", "import", str(root)])
        assert result.exit_code == 0, result.output
    # Asked what the bank keeps, none then all of its questions; made here: bank.yaml's one.
    assert asked == [("parts", 0), ("parts", 91)] and forks == [2, 2]
    assert made_here == ["What is an image made of?"]


def test_a_bank_whose_kept_renderings_are_not_known_is_read_for_no_import(
    write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_bank("bank", _files())
    in_parts = _read(root, True, monkeypatch, lambda bank_id: None)
    assert forks == [2] and in_parts.made_ahead == {}
    assert [text for text in render.prepare.cache if "container" in text]  # sent back


def test_bank_import_asks_the_database_once_it_failed_no_more(
    app, runner, write_bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cli

    first, second = write_bank("a", _files()), write_bank("b", _files())
    second.joinpath("bank.yaml").write_text(BANK.replace("id: parts", "id: other"))
    monkeypatch.setattr(bank_parts, "PARTS_AHEAD_FROM", 0)
    asked: list[str] = []

    def failing(session, bank_id: str) -> set[str]:  # type: ignore[no-untyped-def]
        asked.append(bank_id)
        raise OperationalError("SELECT", {}, Exception("the server went away"))

    monkeypatch.setattr(cli, "kept_faces", failing)
    result = runner.invoke(args=["bank", "import", str(first), str(second)])
    assert result.exit_code == 0, result.output
    assert asked == ["parts"] and forks == [2, 2]  # read for no import after it failed
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Question.id))) == 182


def test_asking_the_database_what_a_bank_keeps_leaves_no_transaction_open(app) -> None:
    import cli

    with app.app_context():
        assert cli._kept_in_database()("parts") == set()
        assert not db.session().in_transaction()
