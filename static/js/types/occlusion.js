// A diagram card: its label typed like a typing answer (when the card sends what to check
// it against), or graded by the learner like a basic card.
import { t } from "../strings.js";
import basic from "./basic.js";
import typing from "./typing.js";

export default {
  build: (card, answers) => (card.check ? typing.build(card, answers) : []),
  // Typed: Check, as a typing card has; self-graded: the Show answer every such card has.
  showButton: (card) => Boolean(card.check),
  showLabel: (card) => (card.check ? typing.showLabel() : t("Show answer")),
  check(answers) {
    if (answers.state.card.check) typing.check(answers);
  },
  choose(quiz, section, position, index) {
    if (section.querySelector("[data-self-answer]")) basic.choose(quiz, section, position, index);
  },
};
