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

// A reload (a phone's browser dropping a tab in the background) shows the same card again:
// what was typed into it comes back, kept for this tab alone until its back is shown.
const KEPT = "wengu-typed";

function keptTyped(card) {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEPT) || "null");
    return kept && kept.card === card.card_id ? String(kept.text) : "";
  } catch {
    return ""; // storage refused or spoilt: nothing to bring back
  }
}

function keepTyped(card, text) {
  try {
    sessionStorage.setItem(KEPT, JSON.stringify({ card: card.card_id, text }));
  } catch {
    // storage full or refused: a reload starts the answer afresh, as before
  }
}

/** The card's back is shown: its answer is given, and nothing typed is kept for it. */
export function forgetTyped() {
  try {
    sessionStorage.removeItem(KEPT);
  } catch {
    // nothing kept
  }
}

// Check waits for an answer, as it waits for an order's picks: a blank Check is no answer.
function build(card, answers) {
  const form = typingForm(() => checkTyped(answers));
  const input = form.querySelector("input");
  input.value = card.card_id === undefined ? "" : keptTyped(card);
  answers.ready(input.value.trim() !== "");
  input.addEventListener("input", () => {
    answers.ready(input.value.trim() !== "");
    if (card.card_id !== undefined) keepTyped(card, input.value);
  });
  return [form];
}

export default {
  build,
  showButton: () => true,
  showLabel: () => t("Check"),
  check: checkTyped,
  back: forgetTyped,
};
