"""Quizzes: the same seed draws the same quiz, filters hold, and each scoring rule."""

from __future__ import annotations

import pytest

from config import PROJECT_ROOT
from srs.bank import Diagram, Question
from srs.kin import diagram_words
from srs.questions.base import MAX_TYPED
from srs.quiz import (
    QuizItem,
    QuizSpec,
    describe_response,
    expected_answer,
    from_screen,
    response_problem,
    sample_quiz,
    score_answer,
)
from srs.sources import load_bank

DOCKER = load_bank(PROJECT_ROOT / "quizzes/docker")
PARENTS = {section.id: section.parent for section in DOCKER.sections}
LABELS = diagram_words(DOCKER.diagrams)


def draw(**spec: object) -> list:
    return sample_quiz(DOCKER.questions, QuizSpec(**{"seed": 42, **spec}), PARENTS, LABELS)


def test_the_same_seed_gives_the_same_quiz() -> None:
    assert draw(count=10) == draw(count=10)
    assert draw(count=10, seed=43) != draw(count=10)
    assert len({item.question for item in draw(count=10)}) == 10


def test_types_filter() -> None:
    kinds = {q.id: q.type for q in DOCKER.questions}
    items = draw(count=20, types=("cloze", "typing"))
    assert len(items) == 20 and {kinds[i.question] for i in items} <= {"cloze", "typing"}
    few = draw(count=50, types=("choice", "truefalse"))  # fewer than asked: all of them
    assert {i.question for i in few} == {
        q for q, kind in kinds.items() if kind in ("choice", "truefalse")
    }


def test_a_section_takes_in_its_subsections() -> None:
    sections = {q.id: q.section for q in DOCKER.questions}
    items = draw(count=200, sections=("networking",))
    under = {"networking", "cnm", "network-drivers", "bridge", "container-to-container",
             "container-external", "dns", "overlay-network"}  # fmt: skip
    assert {sections[i.question] for i in items} == under


def test_tags_filter() -> None:
    tags = {q.id: set(q.tags) for q in DOCKER.questions}
    assert all("supplement" in tags[i.question] for i in draw(count=15, tags=("supplement",)))


def test_fewer_questions_than_asked_gives_what_there_is() -> None:
    assert len(draw(count=50, sections=("runc",))) == sum(
        1 for q in DOCKER.questions if q.section == "runc"
    )


def test_no_two_questions_of_a_quiz_show_one_diagram() -> None:
    """The one would show the labels the other masks, and a quiz can go back: of the
    questions showing one diagram, a quiz takes one, and comes out shorter if need be."""
    image = {q.id: q.content()["image"] for q in DOCKER.questions if q.type == "occlusion"}
    assert len(set(image.values())) < len(image)  # the case this is about
    seen = set()
    for seed in range(20):
        items = draw(count=len(image), types=("occlusion",), seed=seed)
        shown = [image[item.question] for item in items]
        assert len(shown) == len(set(shown)), seed
        seen.update(shown)
    assert seen == set(image.values())


def test_no_question_of_a_quiz_is_answered_by_anothers_front() -> None:
    """A quiz can go back: a prompt, a self-graded answer shown, or a label of a diagram a
    card shows, naming another question's answer gives it away. Of two such questions, a
    quiz takes one."""
    engine = b'<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">PID 1</text></svg>'
    pid = Question(id="pid", type="basic", prompt="容器里第一个进程的编号?", answer="PID 1")
    masks = Question(id="m", type="occlusion", image="diagrams/engine.svg", labels=("PID 1",))
    shows = Question(id="s", type="basic", prompt="![引擎](diagrams/engine.svg) 谁启动容器?",
                     answer="runc")  # fmt: skip
    names = Question(id="n", type="choice", prompt="runc 由谁调用?", choices=("a", "b"), correct=0)
    said = Question(id="said", type="basic", prompt="谁启动容器进程?", answer="runc")
    typed = Question(id="t", type="typing", prompt="OCI 参考实现叫什么?", answer="runc")
    typed_too = Question(id="t2", type="typing", prompt="低层运行时叫什么?", answer="runc")
    labels = diagram_words([Diagram("diagrams/engine.svg", engine)])
    for seed in range(10):
        spec = QuizSpec(count=4, seed=seed)
        drawn = {i.question for i in sample_quiz([pid, shows, names], spec, {}, labels)}
        assert drawn in ({"pid", "n"}, {"s"}), seed
        # Masked on its front, the label is in sight once the card is answered.
        assert len(sample_quiz([pid, masks], spec, {}, labels)) == 1
        assert len(sample_quiz([pid, shows], spec, {}, {})) == 2  # no labels read, none seen
        # A self-graded card's answer is shown, to be graded; a typed one's is not.
        assert len(sample_quiz([said, typed], spec, {}, labels)) == 1
        assert len(sample_quiz([typed, typed_too], spec, {}, labels)) == 2


def test_order_items_are_shown_shuffled_and_cards_drawn_among_the_questions() -> None:
    for item in draw(count=200, types=("order", "reverse", "cloze")):
        question = next(q for q in DOCKER.questions if q.id == item.question)
        assert item.ordinal in question.card_ordinals
        if question.type == "order":
            assert sorted(item.shuffle) == list(range(len(question.items)))
            assert list(item.shuffle) != sorted(item.shuffle)


CHOICE = Question(id="c", type="choice", prompt="p", choices=("a", "b", "c", "d"), correct=(0, 2))
ONE = Question(id="o", type="choice", prompt="p", choices=("a", "b"), correct=1)
ORDER = Question(id="r", type="order", prompt="p", items=("w", "x", "y", "z"))
TYPING = Question(id="t", type="typing", prompt="p", answer="runc", accept=("RunC 运行时",))
CLOZE = Question(id="z", type="cloze", text="{{c1::containerd}} 指挥 {{c2::runc}}")
FACT = Question(id="f", type="truefalse", prompt="p", correct=False)
BASIC = Question(id="b", type="basic", prompt="p", answer="a")


@pytest.mark.parametrize(
    ("question", "ordinal", "response", "score"),
    [
        (CHOICE, 0, [0, 2], 1.0),
        (CHOICE, 0, [0], 0.5),  # one of two right
        (CHOICE, 0, [0, 1], 0.0),  # one right, one wrong
        (CHOICE, 0, [0, 1, 2], 0.5),  # two right, one wrong
        (CHOICE, 0, [1, 3], 0.0),  # never below 0
        (ONE, 0, [1], 1.0),
        (ONE, 0, [0], 0.0),
        (ORDER, 0, [0, 1, 2, 3], 1.0),
        (ORDER, 0, [0, 1, 3, 2], 0.5),  # two of four in their place
        (ORDER, 0, [3, 2, 1, 0], 0.0),
        (TYPING, 0, "  RUNC ", 1.0),
        (TYPING, 0, "ｒｕｎｃ", 1.0),  # full-width, as a Chinese input method types it
        (TYPING, 0, "ｒｕｎｃ　运行时", 1.0),  # the accept list, with an ideographic space
        (TYPING, 0, "crun", 0.0),
        (CLOZE, 1, "ＣｏｎｔａｉｎｅｒＤ", 1.0),
        (CLOZE, 2, "containerd", 0.0),
        (FACT, 0, False, 1.0),
        (FACT, 0, True, 0.0),
        (BASIC, 0, True, 1.0),
        (BASIC, 0, False, 0.0),
        (CHOICE, 0, [], None),  # blank
        (TYPING, 0, "", None),
        (FACT, 0, None, None),
    ],
)
def test_scoring_rules(
    question: Question, ordinal: int, response: object, score: float | None
) -> None:
    assert score_answer(question, ordinal, response) == score


def test_right_answers_as_values_for_the_page_to_word() -> None:
    assert expected_answer(CHOICE, 0) == ("a", "c")
    assert expected_answer(ORDER, 0) == ("w", "x", "y", "z")
    assert expected_answer(CLOZE, 2) == "runc"
    assert expected_answer(FACT, 0) is False  # worded True/False in the page's language
    assert expected_answer(BASIC, 0) == "a"


def test_responses_as_values_for_the_page_to_word() -> None:
    assert describe_response(CHOICE, [0, 1]) == ("a", "b")
    assert describe_response(ORDER, [3, 2, 1, 0]) == ("z", "y", "x", "w")
    assert describe_response(BASIC, False) is False  # "I didn't know it", translated
    assert describe_response(FACT, True) is True
    assert describe_response(TYPING, "") is None
    assert describe_response(CHOICE, [9]) == "[9]"  # a response of the wrong shape, as sent


@pytest.mark.parametrize(
    ("question", "ordinal", "response"),
    [
        (CHOICE, 0, [0, 2]),
        (CHOICE, 0, [3]),
        (ONE, 0, [1]),
        (ORDER, 0, [3, 2, 1, 0]),
        (ORDER, 0, [3, 2]),  # the items picked so far, as the quiz page sends them
        (TYPING, 0, "x" * MAX_TYPED),
        (CLOZE, 1, "containerd"),
        (FACT, 0, False),
        (BASIC, 0, True),
        (CHOICE, 0, []),  # blank: nothing to check
        (TYPING, 0, None),
    ],
)
def test_answers_of_the_shape_their_type_takes(
    question: Question, ordinal: int, response: object
) -> None:
    assert response_problem(question, ordinal, response) is None


@pytest.mark.parametrize(
    ("question", "response"),
    [
        (CHOICE, [0.5]),  # int(0.5) would be 0, a right answer
        (CHOICE, ["0"]),
        (CHOICE, [True]),
        (CHOICE, {"0": 0}),
        (CHOICE, 0),
        (CHOICE, [0, 0, 0, 0]),
        (CHOICE, [-1]),
        (CHOICE, [4]),
        (ONE, [0, 1]),  # one right answer: one choice
        (ORDER, [0, 1, 2, 3, 0]),
        (ORDER, [0, 0]),
        (ORDER, [4]),
        (ORDER, "0123"),
        (TYPING, ["runc"]),
        (TYPING, "x" * (MAX_TYPED + 1)),
        (CLOZE, 1),
        (FACT, "false"),
        (FACT, 0),
        (BASIC, "yes"),
    ],
)
def test_answers_of_another_shape_are_named(question: Question, response: object) -> None:
    assert response_problem(question, 1 if question is CLOZE else 0, response)


def test_nothing_out_of_range_is_worded_as_an_option() -> None:
    assert describe_response(CHOICE, [-1]) == "[-1]"
    assert describe_response(ORDER, [-1, 0]) == "[-1, 0]"
    with pytest.raises(TypeError):
        score_answer(CHOICE, 0, [0.5])


def test_a_quiz_page_names_options_by_place_and_the_shuffle_gives_the_bank_index() -> None:
    shuffled = QuizItem("c", 0, (2, 0, 3, 1))
    assert from_screen(CHOICE, shuffled, [0, 3]) == [2, 1]
    assert from_screen(CHOICE, QuizItem("c", 0, ()), [0, 3]) == [0, 3]  # an older quiz
    assert from_screen(CHOICE, shuffled, [7]) == [7]  # left for the shape check to refuse
    assert from_screen(ORDER, QuizItem("r", 0, (3, 2, 1, 0)), [3, 2]) == [3, 2]
