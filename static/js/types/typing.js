// A typing question: the answer typed, then Enter; the quiz's typed answer is its own input.
import { t } from "../strings.js";
import { isRight } from "../check.js";

function checkTyped(answers) {
  if (!answers.front()) return;
  const card = answers.state.card;
  const typed = answers.loop.el.response.querySelector("input").value;
  const right = isRight(card.type, card.check, typed);
  const shown = typed.trim();
  answers.judge(typed, right || !shown ? "" : t(" — you typed “{typed}”", { typed: shown }));
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
  input.placeholder = t("Type the answer, then Enter");
  form.append(label, input);
  form.addEventListener("submit", (event) => { event.preventDefault(); onSubmit(); });
  return form;
}

export default {
  build: (card, answers) => [typingForm(() => checkTyped(answers))],
  check: checkTyped,
};
