// Each question type's behaviour in the page, by the type's name: the one place review and
// quiz look a type up. A widget may have, for review (answers: review/response.js's
// Responder): build(card, answers) the front's widgets, check(answers) on Enter or Check,
// number(answers, n) and letter(answers, key) for keys, unpick(answers) for Backspace,
// showButton(card) and showLabel() for the Show answer button (Check: answers.ready(false)
// disables it until the response is complete), reveal(answers) to mark the right answer
// when the learner taps "I don't know" (every card the page checks has that button),
// front(el, card) once the front is shown, back(el, card) for the back face; for the quiz:
// choose(quiz, section, position, index, byTap) for a key 1–9 or a tap,
// unpickQuiz(quiz, section, position) and clearQuiz(quiz, section, position) for Undo pick
// and Clear, restoreQuiz(quiz, section, position, answer) where a kept answer is not the
// options' places to choose again, frontQuiz(quiz, section) once a question is shown, and
// unfinishedQuiz(section, answer) for an answer given but not whole (not yet answered).
// A type with no behaviour in the page needs no widget.
import basic from "./basic.js";
import choice from "./choice.js";
import cloze from "./cloze.js";
import occlusion from "./occlusion.js";
import order from "./order.js";
import truefalse from "./truefalse.js";
import typing from "./typing.js";

const WIDGETS = { basic, choice, cloze, occlusion, order, reverse: basic, truefalse, typing };

/** The widget for questions of type; an empty one for a type without behaviour here. */
export function widgetFor(type) {
  return WIDGETS[type] || {};
}
