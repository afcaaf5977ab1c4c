// The answer widgets that review and quiz share: option buttons with their key, chosen
// marks, the picked sequence of an order question, and right/wrong marks that do not rely
// on colour. The quiz renders its buttons on the server in the same markup.
import { t } from "./strings.js";

/** A list item holding an option button: its key (index + 1) and its label's HTML. */
export function optionButton(html, index, onClick) {
  const item = document.createElement("li");
  const control = document.createElement("button");
  control.type = "button";
  control.className = "option";
  control.dataset.index = String(index);
  const key = document.createElement("kbd");
  key.textContent = String(index + 1);
  const label = document.createElement("span");
  label.className = "option-text";
  label.innerHTML = html; // rendered and sanitised by the server
  control.append(key, label);
  control.addEventListener("click", onClick);
  item.append(control);
  return item;
}

/** An ordered list of option buttons, one for each label, calling onPick with its index. */
export function optionList(className, labels, onPick) {
  const list = document.createElement("ol");
  list.className = className;
  labels.forEach((html, index) => list.append(optionButton(html, index, () => onPick(index))));
  return list;
}

// A device with a keyboard and a fine pointer; elsewhere (a phone) hints speak of taps.
const KEYBOARD = "(hover: hover) and (pointer: fine)";

/** Whether the device has a keyboard to speak of, as the styles' .keys-only decides too. */
export const hasKeyboard = () => window.matchMedia(KEYBOARD).matches;

/** A paragraph of hint text. */
export function hint(text) {
  const paragraph = document.createElement("p");
  paragraph.className = "hint";
  paragraph.textContent = text;
  return paragraph;
}

/** Mark each button chosen, or not, as isPressed says. */
export function setPressed(buttons, isPressed) {
  buttons.forEach((button, index) => {
    const pressed = isPressed(button, index);
    button.classList.toggle("is-chosen", pressed);
    button.setAttribute("aria-pressed", String(pressed));
  });
}

/** The sorted indices with index added, or taken out if it was there. */
export function toggled(indices, index) {
  const chosen = new Set(indices);
  if (chosen.has(index)) chosen.delete(index); else chosen.add(index);
  return Array.from(chosen).sort((a, b) => a - b);
}

// What a checked option was, as a mark (not colour alone) and in words for screen readers.
const MARKS = {
  hit: { mark: "✓", words: () => t("right answer, chosen") },
  missed: { mark: "○", words: () => t("right answer, missed") },
  answer: { mark: "✓", words: () => t("the right answer") },
  wrong: { mark: "✗", words: () => t("wrong answer, chosen") },
  placed: { mark: "✓", words: () => t("in the right place") },
  misplaced: { mark: "✗", words: () => t("in the wrong place") },
};

function addMark(button, kind) {
  const note = document.createElement("span");
  note.className = "option-mark";
  note.setAttribute("aria-hidden", "true");
  note.textContent = MARKS[kind].mark;
  const words = document.createElement("span");
  words.className = "visually-hidden";
  words.textContent = MARKS[kind].words();
  button.append(note, words);
}

/** Mark a checked order's item where the learner put it: in the right place or not. */
export function markPlace(chip, inPlace) {
  const kind = inPlace ? "placed" : "misplaced";
  chip.classList.add(inPlace ? "is-right" : "is-wrong", `is-${kind}`);
  addMark(chip, kind);
}

/** Colour the buttons right or wrong, and mark each right one chosen (is-hit) or missed
 * (is-missed) and each wrong one chosen, in a sign and in words. With one answer to give
 * (``single``), the right one not chosen is just the answer (is-answer), not one missed
 * among several. */
export function markRight(buttons, rightIndices, { single = false } = {}) {
  buttons.forEach((button, index) => {
    const isRight = rightIndices.includes(index);
    const chosen = button.classList.contains("is-chosen");
    button.classList.add(isRight ? "is-right" : "is-wrong");
    const notChosen = single ? "answer" : "missed";
    const kind = isRight ? (chosen ? "hit" : notChosen) : chosen ? "wrong" : null;
    if (kind) {
      button.classList.add(`is-${kind}`);
      addMark(button, kind);
    }
  });
}

/** A quiz screen's option buttons (data-choice): a choice's options, true and false. */
export const choiceButtons = (section) => Array.from(section.querySelectorAll("[data-choice]"));

/** A quiz screen's item buttons (data-item): an order question's items. */
export const itemButtons = (section) => Array.from(section.querySelectorAll("[data-item]"));

/** A hint in two wordings: keys on a device with a keyboard, taps on a touch screen. */
export function deviceHint(keys, touch) {
  const paragraph = hint("");
  const forKeys = document.createElement("span");
  forKeys.className = "keys-only";
  forKeys.textContent = keys;
  const forTouch = document.createElement("span");
  forTouch.className = "touch-only";
  forTouch.textContent = touch;
  paragraph.append(forKeys, forTouch);
  return paragraph;
}
