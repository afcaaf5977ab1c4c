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

/** The in-page answers to the card on screen, for the loop. */
export function responder(loop) {
  const { state, el } = loop;
  const buttons = () => Array.from(el.response.querySelectorAll(".option"));
  const answering = (type) => state.phase === "front" && state.card.type === type;

  function judge(response, extra = "") {
    const card = state.card;
    loop.verdict(isRight(card.type, card.check, response), extra);
  }

  function checkChoice() {
    markRight(buttons(), state.card.check.correct);
    judge(state.chosen);
  }

  function choose(index) {
    if (!answering("choice") || index >= state.card.choices.length) return;
    const multiple = state.card.check.multiple;
    state.chosen = multiple ? toggled(state.chosen, index) : [index];
    setPressed(buttons(), (_, at) => state.chosen.includes(at));
    if (!multiple) checkChoice();
  }

  function answerTrueFalse(value) {
    if (!answering("truefalse")) return;
    buttons()[value ? 0 : 1].classList.add("is-chosen");
    markRight(buttons(), [state.card.check.correct ? 0 : 1]);
    judge(value);
  }

  function showOrder() {
    showPicked(el.response.querySelector(".picked"), buttons(), state.picked);
  }

  function pick(position) {
    const card = state.card;
    if (!answering("order") || position >= card.items.length || state.picked.includes(position)) return;
    state.picked = [...state.picked, position];
    showOrder();
    if (state.picked.length === card.items.length) judge(state.picked.map((at) => card.items[at].index));
  }

  function unpick() {
    if (!answering("order") || !state.picked.length) return;
    state.picked = state.picked.slice(0, -1);
    showOrder();
  }

  function checkTyping() {
    if (state.phase !== "front") return;
    const typed = el.response.querySelector("input").value;
    const right = isRight("typing", state.card.check, typed);
    const shown = typed.trim();
    judge(typed, right || !shown ? "" : t(" — you typed “{typed}”", { typed: shown }));
  }

  const BUILDERS = {
    choice: (card) => [optionList("options", card.choices, choose),
      ...(card.check.multiple ? [hint(t("Choose every right answer, then press Enter."))] : [])],
    truefalse: () => [optionList("options options-row", [t("True"), t("False")], (at) => answerTrueFalse(at === 0))],
    order: (card) => {
      const sequence = document.createElement("ol");
      sequence.className = "picked";
      sequence.setAttribute("aria-label", t("Your order"));
      return [hint(t("Pick the items in order (1–9); Backspace takes one back.")),
        optionList("options", card.items.map((item) => item.html), pick), sequence];
    },
    typing: () => [typingForm(checkTyping)],
  };

  // A number key on the front: the option of that number, or true (1) and false (2).
  const NUMBERS = {
    choice: (number) => choose(number - 1),
    truefalse: (number) => { if (number <= 2) answerTrueFalse(number === 1); },
    order: (number) => pick(number - 1),
  };

  return {
    /** The widgets for card's front; the response starts empty. */
    build(card) {
      state.chosen = [];
      state.picked = [];
      return BUILDERS[card.type] ? BUILDERS[card.type](card) : [];
    },
    /** Check what was chosen or typed, where the page waits for Enter or Check. */
    check() {
      if (state.card.type === "choice" && state.card.check.multiple) checkChoice();
      else if (state.card.type === "typing") checkTyping();
    },
    number(number) { NUMBERS[state.card.type]?.(number); },
    answerTrueFalse,
    unpick,
  };
}
