"""Choice options shown shuffled: afresh for each showing of a card, the same on a reload of
one showing, evenly over places; in a quiz and in the Anki export too; and the words a card
shows beside its bank's texts in the bank's language."""

from __future__ import annotations

import re
from collections import Counter

from config import PROJECT_ROOT
from srs.anki.fields import FieldRenderer
from srs.anki.notetypes import note_seed
from srs.questions import TYPES, Verdict, card_faces, check_answer, showing_seed, shuffled_order
from srs.questions.words import bank_words
from srs.quiz import QuizSpec, sample_quiz
from srs.scheduler import Rating
from srs.sources import load_bank

FOUR = {"prompt": "p", "choices": ["right", "b", "c", "d"], "correct": 0}
# 32 choice questions, each with its right option first in the file.
RIGHT_FIRST = {
    "bank.yaml": "id: choices\ntitle: Choices\nquestions:\n"
    + "".join(
        f"  - {{id: q{n}, type: choice, prompt: 'Q{n}?', choices: [r{n}, b{n}, c{n}, d{n}], "
        "correct: 0}\n"
        for n in range(32)
    )
}

# A chi-square bound for 3 degrees of freedom at p = 0.001: an even shuffle passes it with
# any but a one-in-a-thousand seed set, and the seeds here are fixed, so it cannot flake.
CHI_SQUARE_3 = 16.27


def chi_square(places: Counter[int], count: int) -> float:
    expected = sum(places.values()) / count
    return sum((places[place] - expected) ** 2 / expected for place in range(count))


def right_place(seed: int) -> int:
    faces = card_faces("choice", FOUR, 0, seed)
    return faces.choices.index("right")


def test_the_right_option_is_spread_evenly_over_the_showings_of_one_card() -> None:
    places = Counter(right_place(showing_seed(42, reps)) for reps in range(800))
    assert chi_square(places, 4) < CHI_SQUARE_3, places


def test_the_right_option_is_spread_evenly_over_many_cards() -> None:
    places = Counter(right_place(showing_seed(card_id, 0)) for card_id in range(1, 801))
    assert chi_square(places, 4) < CHI_SQUARE_3, places


def test_one_showing_keeps_its_order_and_the_next_changes_it() -> None:
    first = card_faces("choice", FOUR, 0, showing_seed(7, 3))
    assert card_faces("choice", FOUR, 0, showing_seed(7, 3)) == first
    later = [card_faces("choice", FOUR, 0, showing_seed(7, reps)).choices for reps in (4, 5, 6)]
    assert any(order != first.choices for order in later)


def test_the_check_speaks_of_places_on_screen() -> None:
    several = {"prompt": "p", "choices": ["a", "b", "c", "d"], "correct": [0, 2]}
    for seed in range(20):
        faces = card_faces("choice", several, 0, seed)
        places = sorted(faces.choices.index(text) for text in ("a", "c"))
        assert faces.check["correct"] == places
        assert [faces.shown[place] for place in places] in ([0, 2], [2, 0])
        assert check_answer("choice", faces.check, places).correct


def test_a_quiz_shuffles_options_the_same_for_the_same_seed(write_bank) -> None:
    bank = load_bank(write_bank("choices", RIGHT_FIRST))
    spec = QuizSpec(seed=5, count=len(bank.questions), types=("choice",))
    items = sample_quiz(bank.questions, spec, {})
    assert items == sample_quiz(bank.questions, spec, {})
    places = Counter(item.shuffle.index(0) for item in items)
    assert len(items) == 32 and places[0] < 16, places  # in the file the right one is first
    assert all(sorted(item.shuffle) == [0, 1, 2, 3] for item in items)


def test_the_anki_export_shuffles_options_per_note(write_bank) -> None:
    bank = load_bank(write_bank("choices", RIGHT_FIRST))
    render = FieldRenderer(bank)
    single = bank.questions
    first = 0
    for question in single:
        seed = note_seed(bank.id, question.id)
        fields = TYPES["choice"].anki_note(question.content(), render, seed)
        assert fields == TYPES["choice"].anki_note(question.content(), render, seed)
        right = render.inline(question.choices[question.correct])
        answer = re.findall(r'<li class="(right|wrong)">', fields[2])
        assert answer.count("right") == 1 and right in fields[1]
        first += answer[0] == "right"
    assert first < len(single) / 2, first


def test_a_partly_right_answer_suggests_hard() -> None:
    check = {"correct": [0, 1, 2], "multiple": True}
    assert check_answer("choice", check, [0, 1, 2]).rating is Rating.GOOD
    assert check_answer("choice", check, [0, 1]).rating is Rating.HARD  # 2/3
    assert check_answer("choice", check, [0, 3]).rating is Rating.AGAIN  # 0
    assert Verdict(False, 0.49).rating is Rating.AGAIN


def test_the_anki_words_follow_the_banks_language() -> None:
    bank = load_bank(PROJECT_ROOT / "quizzes/docker")
    assert bank.language and bank.language.startswith("zh")
    render = FieldRenderer(bank)
    truth = TYPES["truefalse"].anki_note({"prompt": "p", "correct": True}, render, 1)
    assert "正确" in truth[1] and "错误" in truth[1] and "True" not in "".join(truth)
    several = {"prompt": "p", "choices": ["a", "b", "c"], "correct": [0, 2]}
    assert bank_words("zh-CN").choose(2) in TYPES["choice"].anki_note(several, render, 1)[1]
    order = TYPES["order"].anki_note({"prompt": "p", "items": ["a", "b"]}, render, 1)
    assert bank_words("zh")["order"] in order[1] and "Put these" not in order[1]
    assert bank_words(None)["true"] == "True" and bank_words("fr")["choose"] == "Choose {n}."


def test_order_shuffles_never_show_the_answer_or_its_reverse() -> None:
    for count in (3, 4, 6):
        for seed in range(300):
            order = shuffled_order(count, seed)
            assert sorted(order) == list(range(count))
            assert order not in (list(range(count)), list(range(count))[::-1])
        assert shuffled_order(count, 7) == shuffled_order(count, 7)
    # Two items have only the two orders: either, as the seed falls, so neither teaches.
    pairs = Counter(tuple(shuffled_order(2, seed)) for seed in range(200))
    assert set(pairs) == {(0, 1), (1, 0)} and min(pairs.values()) > 60


def test_the_anki_order_back_letters_each_item_as_the_front_did() -> None:
    bank = load_bank(PROJECT_ROOT / "quizzes/docker")
    render = FieldRenderer(bank)
    for question in (q for q in bank.questions if q.type == "order"):
        _, front, back = TYPES["order"].anki_note(
            question.content(), render, note_seed(bank.id, question.id)
        )
        label = r'<li><span class="label">(\w)</span> (.*?)</li>'
        shown = dict((item, letter) for letter, item in re.findall(label, front))
        answer = re.findall(label, back)
        assert [item for _, item in answer] == [render.inline(i) for i in question.items]
        assert all(shown[item] == letter for letter, item in answer)
        assert [letter for letter, _ in answer] != sorted(shown.values())
