// A diagram card: its label typed like a typing answer (when the card sends what to check
// it against), or graded by the learner like a basic card.
import { t } from "../strings.js";
import basic from "./basic.js";
import typing, { forgetTyped } from "./typing.js";

const SIGHT_MARGIN = 8; // px kept between the diagram and what covers or bounds it

// The label asked for may be anywhere in the diagram, whose foot can sit under the action
// bar (or under a typed answer's field, which stays above the bar in a review): once the
// image is laid out, scroll the least that brings it whole into sight, or its top to the top
// when it is taller than the room. What it measures may still change after the image loads
// (diagrams.js widens it to a legible size once it has read the source; the text above it or
// the action bar may wrap anew), so this runs again each time the image, its prompt or the
// bar is resized, until the learner scrolls or moves on (still() says whether the same
// question is shown).
function diagramInSight(prompt, response, still) {
  const image = prompt?.querySelector("img");
  if (!image) return;
  let left = 0; // where this left the page (shown at the top): elsewhere, the learner scrolled
  const watch = new ResizeObserver(() => requestAnimationFrame(bring));
  function bring() {
    if (!still() || window.scrollY !== left) {
      watch.disconnect();
      return;
    }
    if (!image.complete || !image.naturalHeight) return;
    const box = (image.closest(".diagram-frame") || image).getBoundingClientRect();
    let floor = document.querySelector(".action-bar")?.getBoundingClientRect().top ?? innerHeight;
    if (response && getComputedStyle(response).position === "sticky") {
      floor = Math.min(floor, response.getBoundingClientRect().top);
    }
    const over = box.bottom + SIGHT_MARGIN - floor;
    const room = box.top - SIGHT_MARGIN;
    if (over > 0 && room > 0) window.scrollBy({ top: Math.min(over, room), behavior: "instant" });
    left = window.scrollY;
  }
  for (const part of [image, prompt, document.querySelector(".action-bar")]) if (part) watch.observe(part);
  image.addEventListener("load", () => requestAnimationFrame(bring), { once: true });
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
