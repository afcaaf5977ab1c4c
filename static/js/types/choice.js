// A choice question: one right option, or (multiple) every right one, then Enter or Check.
// The options come shuffled for this showing (the server's order); keys follow the screen.
// A key takes a single option at once; a tap or a click only selects it, and Check confirms,
// so a mis-tap can be corrected.
import { t } from "../strings.js";
import { choiceButtons, deviceHint, markRight, optionList, setPressed, toggled } from "../widgets.js";

function markChoices(answers) {
  const { check } = answers.state.card;
  markRight(answers.buttons(), [].concat(check.correct), { single: !check.multiple });
}

function checkChosen(answers) {
  markChoices(answers);
  answers.judge(answers.state.chosen);
}

function choose(answers, index, confirmLater) {
  const { card } = answers.state;
  if (!answers.front() || index >= card.choices.length) return;
  const multiple = card.check.multiple;
  answers.state.chosen = multiple ? toggled(answers.state.chosen, index) : [index];
  setPressed(answers.buttons(), (_, at) => answers.state.chosen.includes(at));
  if (!multiple) answers.ready(true);
  if (!multiple && !confirmLater) checkChosen(answers);
}

function hintFor(card) {
  if (card.check.multiple) {
    return deviceHint(t("Choose every right answer, then press Enter."), t("Choose every right answer, then Check."));
  }
  // A key checks at once: said, so that Space after it is not taken for Check (it grades).
  return deviceHint(t("Press an option's number: it is checked at once."), t("Choose one, then Check."));
}

export default {
  showLabel: () => t("Check"),
  showButton: () => true,
  build(card, answers) {
    // One answer: Check waits for it ("I don't know" is the way to pass). Several: none
    // chosen is an answer, that none is right.
    answers.ready(card.check.multiple);
    return [optionList("options", card.choices, (at) => choose(answers, at, true)), hintFor(card)];
  },
  check(answers) {
    if (answers.state.card.check.multiple || answers.state.chosen.length) checkChosen(answers);
  },
  number: (answers, number) => choose(answers, number - 1, false),
  // I don't know: the right options are marked (as missed, or the one answer as the answer,
  // unless chosen) before the back.
  reveal: markChoices,

  // The quiz's buttons stand in the order drawn for it; each carries only its place on screen
  // (the server knows which option stands there), so the page's source gives nothing away.
  choose(quiz, section, position, index) {
    const buttons = choiceButtons(section);
    if (index >= buttons.length) return;
    const { answers } = quiz.state;
    answers[position] = section.hasAttribute("data-multiple") ? toggled(answers[position] || [], index) : [index];
    setPressed(buttons, (button) => answers[position].includes(Number(button.dataset.choice)));
  },
};
