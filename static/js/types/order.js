// An order question: pick the items in order (1–9), Backspace takes the last one back.
import { t } from "../strings.js";
import { hint, itemButtons, optionList, showPicked } from "../widgets.js";

function showOrder(answers) {
  showPicked(answers.loop.el.response.querySelector(".picked"), answers.buttons(), answers.state.picked);
}

function pick(answers, position) {
  const { card, picked } = answers.state;
  if (!answers.front() || position >= card.items.length || picked.includes(position)) return;
  answers.state.picked = [...picked, position];
  showOrder(answers);
  if (answers.state.picked.length === card.items.length) {
    answers.judge(answers.state.picked.map((at) => card.items[at].index));
  }
}

function showQuizOrder(quiz, section, position) {
  const buttons = itemButtons(section);
  const picked = (quiz.state.answers[position] || [])
    .map((item) => buttons.findIndex((button) => Number(button.dataset.item) === item));
  showPicked(section.querySelector("[data-picked]"), buttons, picked);
}

export default {
  build(card, answers) {
    const sequence = document.createElement("ol");
    sequence.className = "picked";
    sequence.setAttribute("aria-label", t("Your order"));
    return [hint(t("Pick the items in order (1–9); Backspace takes one back.")),
      optionList("options", card.items.map((item) => item.html), (at) => pick(answers, at)), sequence];
  },
  number: (answers, number) => pick(answers, number - 1),
  unpick(answers) {
    if (!answers.front() || !answers.state.picked.length) return;
    answers.state.picked = answers.state.picked.slice(0, -1);
    showOrder(answers);
  },

  choose(quiz, section, position, index) {
    const buttons = itemButtons(section);
    if (index >= buttons.length) return;
    const picked = quiz.state.answers[position] || [];
    const item = Number(buttons[index].dataset.item);
    if (picked.includes(item)) return;
    quiz.state.answers[position] = [...picked, item];
    showQuizOrder(quiz, section, position);
  },
  unpickQuiz(quiz, section, position) {
    const { answers } = quiz.state;
    if (!(answers[position] || []).length) return;
    answers[position] = answers[position].slice(0, -1);
    showQuizOrder(quiz, section, position);
  },
};
