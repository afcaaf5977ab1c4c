// A choice question: one right option, or (multiple) every right one, then Enter or Check.
import { t } from "../strings.js";
import { choiceButtons, hint, markRight, optionList, setPressed, toggled } from "../widgets.js";

function checkChosen(answers) {
  markRight(answers.buttons(), answers.state.card.check.correct);
  answers.judge(answers.state.chosen);
}

function choose(answers, index) {
  const { card } = answers.state;
  if (!answers.front() || index >= card.choices.length) return;
  const multiple = card.check.multiple;
  answers.state.chosen = multiple ? toggled(answers.state.chosen, index) : [index];
  setPressed(answers.buttons(), (_, at) => answers.state.chosen.includes(at));
  if (!multiple) checkChosen(answers);
}

export default {
  showLabel: () => t("Check"),
  showButton: (card) => Boolean(card.check.multiple),
  build: (card, answers) => [optionList("options", card.choices, (at) => choose(answers, at)),
    ...(card.check.multiple ? [hint(t("Choose every right answer, then press Enter."))] : [])],
  check(answers) { if (answers.state.card.check.multiple) checkChosen(answers); },
  number: (answers, number) => choose(answers, number - 1),

  choose(quiz, section, position, index) {
    const buttons = choiceButtons(section);
    if (index >= buttons.length) return;
    const { answers } = quiz.state;
    answers[position] = section.hasAttribute("data-multiple") ? toggled(answers[position] || [], index) : [index];
    setPressed(buttons, (button) => answers[position].includes(Number(button.dataset.choice)));
  },
};
