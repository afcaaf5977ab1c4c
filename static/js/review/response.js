// Answering a card in the page: the widgets on its front for each type the page checks
// (choice, truefalse, order, typing), and the learner's response to them, checked by
// check.js. The response lives in the loop's state (state.chosen, state.picked).
import { t } from "../strings.js";
import { isRight } from "../check.js";
import { hint, markRight, optionList, setPressed, showPicked, toggled } from "../widgets.js";

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

function orderWidgets(card, onPick) {
  const sequence = document.createElement("ol");
  sequence.className = "picked";
  sequence.setAttribute("aria-label", t("Your order"));
  return [hint(t("Pick the items in order (1–9); Backspace takes one back.")),
    optionList("options", card.items.map((item) => item.html), onPick), sequence];
}

// The widgets on the front of each type the page checks.
const BUILDERS = {
  choice: (card, answers) => [optionList("options", card.choices, (at) => answers.choose(at)),
    ...(card.check.multiple ? [hint(t("Choose every right answer, then press Enter."))] : [])],
  truefalse: (card, answers) => [optionList("options options-row", [t("True"), t("False")],
    (at) => answers.answerTrueFalse(at === 0))],
  order: (card, answers) => orderWidgets(card, (at) => answers.pick(at)),
  typing: (card, answers) => [typingForm(() => answers.checkTyping())],
};

// A number key on the front: the option of that number, or true (1) and false (2).
const NUMBERS = {
  choice: (answers, number) => answers.choose(number - 1),
  truefalse: (answers, number) => { if (number <= 2) answers.answerTrueFalse(number === 1); },
  order: (answers, number) => answers.pick(number - 1),
};

/** The in-page answers to the card on screen, for the loop. */
export class Responder {
  constructor(loop) {
    this.loop = loop;
    this.state = loop.state;
  }

  buttons() { return Array.from(this.loop.el.response.querySelectorAll(".option")); }

  answering(type) { return this.state.phase === "front" && this.state.card.type === type; }

  /** The widgets for card's front; the response starts empty. */
  build(card) {
    this.state.chosen = [];
    this.state.picked = [];
    return BUILDERS[card.type] ? BUILDERS[card.type](card, this) : [];
  }

  /** Check what was chosen or typed, where the page waits for Enter or Check. */
  check() {
    const card = this.state.card;
    if (card.type === "choice" && card.check.multiple) this.checkChoice();
    else if (card.type === "typing") this.checkTyping();
  }

  number(number) { NUMBERS[this.state.card.type]?.(this, number); }

  judge(response, extra = "") {
    const card = this.state.card;
    this.loop.verdict(isRight(card.type, card.check, response), extra);
  }

  checkChoice() {
    markRight(this.buttons(), this.state.card.check.correct);
    this.judge(this.state.chosen);
  }

  choose(index) {
    if (!this.answering("choice") || index >= this.state.card.choices.length) return;
    const multiple = this.state.card.check.multiple;
    this.state.chosen = multiple ? toggled(this.state.chosen, index) : [index];
    setPressed(this.buttons(), (_, at) => this.state.chosen.includes(at));
    if (!multiple) this.checkChoice();
  }

  answerTrueFalse(value) {
    if (!this.answering("truefalse")) return;
    this.buttons()[value ? 0 : 1].classList.add("is-chosen");
    markRight(this.buttons(), [this.state.card.check.correct ? 0 : 1]);
    this.judge(value);
  }

  showOrder() {
    showPicked(this.loop.el.response.querySelector(".picked"), this.buttons(), this.state.picked);
  }

  pick(position) {
    const { card, picked } = this.state;
    if (!this.answering("order") || position >= card.items.length || picked.includes(position)) return;
    this.state.picked = [...picked, position];
    this.showOrder();
    if (this.state.picked.length === card.items.length) this.judge(this.state.picked.map((at) => card.items[at].index));
  }

  unpick() {
    if (!this.answering("order") || !this.state.picked.length) return;
    this.state.picked = this.state.picked.slice(0, -1);
    this.showOrder();
  }

  checkTyping() {
    if (this.state.phase !== "front") return;
    const typed = this.loop.el.response.querySelector("input").value;
    const right = isRight("typing", this.state.card.check, typed);
    const shown = typed.trim();
    this.judge(typed, right || !shown ? "" : t(" — you typed “{typed}”", { typed: shown }));
  }
}
