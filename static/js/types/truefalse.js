// A true/false question: 1 or T for true, 2 or F for false, checked at once; a tap or a
// click only selects, and Check confirms. The words are the bank's language's when
// the card carries them (as its choices), else the page's.
import { t } from "../strings.js";
import { choiceButtons, deviceHint, markRight, optionList, setPressed } from "../widgets.js";

const LETTERS = { t: true, f: false };

// The right one marked: one answer to give, so it is the answer, not one missed.
const markAnswer = (answers) => markRight(answers.buttons(), [answers.state.card.check.correct ? 0 : 1], { single: true });

function answer(answers, value) {
  if (!answers.front()) return;
  answers.state.chosen = [value ? 0 : 1];
  setPressed(answers.buttons(), (_, at) => answers.state.chosen.includes(at));
  markAnswer(answers);
  answers.judge(value);
}

function select(answers, value) {
  if (!answers.front()) return;
  answers.state.chosen = [value ? 0 : 1];
  setPressed(answers.buttons(), (_, at) => answers.state.chosen.includes(at));
  answers.ready(true);
}

export default {
  showLabel: () => t("Check"),
  showButton: () => true,
  build(card, answers) {
    const words = card.choices && card.choices.length === 2 ? card.choices : [t("True"), t("False")];
    answers.ready(false); // Check waits for a choice ("I don't know" is the way to pass)
    return [optionList("options options-row", words, (at) => select(answers, at === 0)),
      deviceHint(t("Press 1 (or T) or 2 (or F): it is checked at once."), t("Choose one, then Check."))];
  },
  check(answers) { if (answers.state.chosen.length) answer(answers, answers.state.chosen[0] === 0); },
  reveal: markAnswer,
  number(answers, number) { if (number <= 2) answer(answers, number === 1); },
  letter(answers, key) { if (key in LETTERS) answer(answers, LETTERS[key]); },

  choose(quiz, section, position, index) {
    if (index > 1) return;
    quiz.state.answers[position] = index === 0;
    setPressed(choiceButtons(section), (button) => (button.dataset.choice === "true") === quiz.state.answers[position]);
  },
};
