// A diagram card: its label typed like a typing answer (when the card sends what to check
// it against), or graded by the learner like a basic card.
import { t } from "../strings.js";
import basic from "./basic.js";
import typing, { forgetTyped } from "./typing.js";

const SIGHT_MARGIN = 8; // px kept between the diagram and what covers or bounds it

// The label asked for may be anywhere in the diagram, whose foot can sit under the action
// bar (or under a typed answer's field, which stays above the bar in a review): once the
// image is laid out, scroll the least that brings it whole into sight, or its top to the top
// when it is taller than the room. Not if the learner has scrolled or moved on meanwhile
// (still() says whether the same question is shown).
function diagramInSight(prompt, response, still) {
  const image = prompt?.querySelector("img");
  if (!image) return;
  const bring = () => {
    if (!still() || window.scrollY > 0) return;
    const box = (image.closest(".diagram-frame") || image).getBoundingClientRect();
    let floor = document.querySelector(".action-bar")?.getBoundingClientRect().top ?? innerHeight;
    if (response && getComputedStyle(response).position === "sticky") {
      floor = Math.min(floor, response.getBoundingClientRect().top);
    }
    const over = box.bottom + SIGHT_MARGIN - floor;
    if (over > 0) window.scrollBy({ top: Math.min(over, box.top - SIGHT_MARGIN), behavior: "instant" });
  };
  if (image.complete && image.naturalHeight) requestAnimationFrame(bring);
  else image.addEventListener("load", () => requestAnimationFrame(bring), { once: true });
}

export default {
  build: (card, answers) => (card.check ? typing.build(card, answers) : []),
  // Typed: Check, as a typing card has; self-graded: the Show answer every such card has.
  showButton: (card) => Boolean(card.check),
  showLabel: (card) => (card.check ? typing.showLabel() : t("Show answer")),
  check(answers) {
    if (answers.state.card.check) typing.check(answers);
  },
  back: () => forgetTyped(),
  front(el) {
    const shown = el.card.dataset.cardId;
    diagramInSight(el.prompt, el.response, () => el.card.dataset.cardId === shown);
  },
  frontQuiz: (quiz, section) => diagramInSight(section.querySelector(".prompt"), null, () => !section.hidden),
  choose(quiz, section, position, index) {
    if (section.querySelector("[data-self-answer]")) basic.choose(quiz, section, position, index);
  },
};
