"""The question-type registry: each type's checking, faces and scoring, through one path."""

from __future__ import annotations

from typing import Any

import pytest

from srs.bank import Question
from srs.questions import (
    ALL_KEYS,
    AUTO_CHECKED,
    QUESTION_TYPES,
    TYPES,
    Verdict,
    card_faces,
    check_answer,
    normalise_typed,
)
from srs.quiz import score_answer
from srs.scheduler import Rating


def checked(question_type: str, content: dict[str, Any], response: object) -> bool:
    """Check ``response`` as review does: against the ``check`` of the card's faces, a
    choice's indices (in the bank) turned into the places its shuffled faces show them at."""
    faces = card_faces(question_type, content, 0, seed=7)
    if faces.shown:
        response = [faces.shown.index(i) for i in response]
    return check_answer(question_type, faces.check, response).correct


@pytest.mark.parametrize(
    ("response", "right"),
    [
        ("runc", True),
        ("  RUNC ", True),
        ("ｒｕｎｃ", True),  # full-width letters typed with a Chinese input method
        ("Ｒｕｎｃ　", True),  # with an ideographic space
        ("runC", True),
        ("run c", False),
        ("containerd", False),
        ("", False),
    ],
)
def test_typing_ignores_case_width_and_surrounding_space(response: str, right: bool) -> None:
    assert checked("typing", {"prompt": "p", "answer": "runc"}, response) is right


def test_typing_takes_accepted_alternatives() -> None:
    content = {"prompt": "p", "answer": "docker container ls", "accept": ["docker ps"]}
    assert checked("typing", content, "docker  ps")
    assert checked("typing", {"prompt": "p", "answer": "二三七六", "accept": ["2376"]}, "２３７６")


def test_typed_chinese_punctuation_is_normalised() -> None:
    assert normalise_typed("ＡＢＣ：１２３") == "abc:123"


def test_review_and_quiz_both_fold_case_fully() -> None:
    """Review lower-cased while the quiz case-folded; folding wins in both."""
    content = {"prompt": "p", "answer": "Straße"}
    assert checked("typing", content, "STRASSE")
    question = Question(id="s", type="typing", prompt="p", answer="Straße")
    assert score_answer(question, 0, "STRASSE") == 1.0


def test_choice_needs_exactly_the_right_choices() -> None:
    one = {"prompt": "p", "choices": ["a", "b", "c"], "correct": 1}
    several = {"prompt": "p", "choices": ["a", "b", "c"], "correct": [0, 2]}
    assert checked("choice", one, [1])
    assert not checked("choice", one, [0])
    assert checked("choice", several, [2, 0])
    assert not checked("choice", several, [0])
    assert not checked("choice", several, [0, 1, 2])


def test_truefalse() -> None:
    assert checked("truefalse", {"prompt": "p", "correct": True}, True)
    assert not checked("truefalse", {"prompt": "p", "correct": False}, True)


def test_order_must_be_exact() -> None:
    content = {"prompt": "p", "items": ["x", "y", "z"]}
    assert checked("order", content, [0, 1, 2])
    assert not checked("order", content, [0, 2, 1])
    assert not checked("order", content, [0, 1])


def test_checks_suggest_good_or_again() -> None:
    assert Verdict.of(True).rating is Rating.GOOD
    assert Verdict.of(False).rating is Rating.AGAIN


def test_a_truefalse_card_carries_its_truth_not_english_words() -> None:
    faces = card_faces("truefalse", {"prompt": "容器共享内核", "correct": True}, 0, seed=1)
    assert faces.truth is True and faces.check == {"correct": True}
    assert "True" not in faces.back and "False" not in faces.back


def test_self_graded_cards_take_the_learners_verdict() -> None:
    for name in ("basic", "reverse"):
        assert check_answer(name, {}, True) == Verdict(True, 1.0)
        assert check_answer(name, {}, False) == Verdict(False, 0.0)
        with pytest.raises(TypeError):
            check_answer(name, {}, "yes")


def test_a_cloze_card_checks_its_own_deletion_typed() -> None:
    """Cloze is typed only in a quiz, which the server scores: checked here, not in the
    shared vectors the browser runs too."""
    content = {"text": "{{c1::containerd}} 指挥 {{c2::runc}}"}
    check = card_faces("cloze", content, 2, seed=0).check
    assert check == {"accept": ["runc"]}
    assert check_answer("cloze", check, "ＲＵＮＣ").correct  # width and case do not count
    assert check_answer("cloze", check, " runc\u3000").correct
    assert not check_answer("cloze", check, "containerd").correct  # another deletion's
    assert not check_answer("cloze", check, "").correct


def test_a_cloze_deletion_written_in_markdown_takes_the_words_as_shown() -> None:
    """A blank hiding `` `-a` `` shows ``-a`` when revealed: that is what a learner types."""
    content = {"text": "`docker image prune` {{c1::`-a`}} 删除 {{c2::**所有**未用的}} 镜像"}
    first = card_faces("cloze", content, 1, seed=0).check
    assert first == {"accept": ["`-a`", "-a"]}
    assert check_answer("cloze", first, "-a").correct
    assert check_answer("cloze", first, "`-a`").correct
    assert not check_answer("cloze", first, "a").correct
    second = card_faces("cloze", content, 2, seed=0).check
    assert check_answer("cloze", second, "所有未用的").correct


def test_a_typing_answer_written_in_markdown_takes_the_words_as_shown() -> None:
    content = {"prompt": "Which flag detaches?", "answer": "`-d`", "accept": ["--detach"]}
    check = card_faces("typing", content, 1, seed=0).check
    assert check == {"accept": ["`-d`", "-d", "--detach"]}
    assert all(check_answer("typing", check, typed).correct for typed in ("-d", "--detach"))
    assert not check_answer("typing", check, "d").correct


def test_review_checks_the_types_it_can() -> None:
    assert {"choice", "truefalse", "order", "typing"} == AUTO_CHECKED
    assert set(QUESTION_TYPES) == set(TYPES) and len(QUESTION_TYPES) == 8


def test_each_type_has_its_own_anki_note_type() -> None:
    names = [kind.anki.name for kind in TYPES.values()]
    ids = [kind.anki.id for kind in TYPES.values()]
    assert len(set(names)) == len(names) == len(set(ids))
    assert all((1 << 30) <= i < (1 << 31) for i in ids)


def test_exports_write_every_key_a_type_declares() -> None:
    from srs.export import CSV_COLUMNS

    assert set(CSV_COLUMNS) >= ALL_KEYS


def test_each_type_fills_the_fields_its_note_type_declares() -> None:
    from config import PROJECT_ROOT
    from srs.anki import MODEL_IDS
    from srs.anki.fields import FieldRenderer
    from srs.sources import load_bank

    bank = load_bank(PROJECT_ROOT / "quizzes/docker")
    render = FieldRenderer(bank)
    for question in bank.questions:
        kind = TYPES[question.type]
        assert len(kind.anki_note(question.content(), render, seed=1)) == len(kind.anki.fields)
    assert {name: kind.anki.id for name, kind in TYPES.items()} == MODEL_IDS
