// A typing question: the answer typed, then Check (or Enter); a near miss shows how the typed
// answer differs from the right one. The quiz's typed answer is its own input.
import { t } from "../strings.js";
import { isNearMiss, isRight, nearestAnswer, typedDiff } from "../check.js";
import { hasKeyboard } from "../widgets.js";

function checkTyped(answers) {
  if (!answers.front() || !answers.state.ready) return; // nothing typed: "I don't know" says so
  const card = answers.state.card;
  const typed = answers.loop.el.response.querySelector("input").value;
  const right = isRight(card.type, card.check, typed);
  answers.judge(typed);
  if (!right && typed.trim()) {
    const nearest = nearestAnswer(typed, card.check.accept);
    const runs = typedDiff(typed, nearest);
    if (isNearMiss(runs)) answers.showDiff(runs, nearest);
  }
}

function typingForm(onSubmit) {
  const form = document.createElement("form");
  form.className = "typing";
  const label = document.createElement("label");
  label.className = "visually-hidden";
  label.htmlFor = "typed-answer";
  label.textContent = t("Your answer");
  const input = document.createElement("input");
  Object.assign(input, { id: "typed-answer", type: "text", autocomplete: "off", autocapitalize: "off" });
  input.spellcheck = false;
  input.setAttribute("enterkeyhint", "done");
  input.placeholder = hasKeyboard() ? t("Type the answer, then Enter") : t("Type the answer, then Check");
  form.append(label, input);
  form.addEventListener("submit", (event) => { event.preventDefault(); onSubmit(); });
  return form;
}

// Check waits for an answer, as it waits for an order's picks: a blank Check is no answer.
function build(card, answers) {
  const form = typingForm(() => checkTyped(answers));
  const input = form.querySelector("input");
  answers.ready(false);
  input.addEventListener("input", () => answers.ready(input.value.trim() !== ""));
  return [form];
}

export default {
  build,
  showButton: () => true,
  showLabel: () => t("Check"),
  check: checkTyped,
};
