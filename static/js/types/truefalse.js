// A true/false question: 1 or T for true, 2 or F for false, checked at once.
import { t } from "../strings.js";
import { choiceButtons, markRight, optionList, setPressed } from "../widgets.js";

const LETTERS = { t: true, f: false };

function answer(answers, value) {
  if (!answers.front()) return;
  answers.buttons()[value ? 0 : 1].classList.add("is-chosen");
  markRight(answers.buttons(), [answers.state.card.check.correct ? 0 : 1]);
  answers.judge(value);
}

export default {
  build: (card, answers) => [optionList("options options-row", [t("True"), t("False")],
    (at) => answer(answers, at === 0))],
  number(answers, number) { if (number <= 2) answer(answers, number === 1); },
  letter(answers, key) { if (key in LETTERS) answer(answers, LETTERS[key]); },

  choose(quiz, section, position, index) {
    if (index > 1) return;
    quiz.state.answers[position] = index === 0;
    setPressed(choiceButtons(section), (button) => (button.dataset.choice === "true") === quiz.state.answers[position]);
  },
};
