// Facts about a card as the API sends it, shared by the review loop and its two sources.
import { widgetFor } from "../types/index.js";

/** Whether the page checks the card itself (the server sends what to check against). */
export function checkedHere(card) {
  return card.check !== undefined;
}

/** Which of today's counts (new, learning, review) the card is one of. */
export function kindOf(card) {
  return card.state === "relearning" ? "learning" : card.state;
}

/** Whether the card's front needs the Show answer / Check button. */
export function hasShowButton(card) {
  const widget = widgetFor(card.type);
  return !checkedHere(card) || Boolean(widget.showButton && widget.showButton(card));
}

/** The body of POST review/{card}: the rating, the card's one-time token, the time taken. */
export function answerBody(card, rating, elapsed, correct) {
  return {
    rating,
    review_token: card.review_token,
    elapsed_ms: elapsed,
    ...(correct === null ? {} : { correct }),
  };
}

const RATING_NAMES = { 1: "again", 2: "hard", 3: "good", 4: "easy" };
const DAY_SECONDS = 86400;

/** Whether the answer ``rating`` brings the card back today, as a learning card: its
 * interval (the one its button shows) is under a day, as only learning steps are. */
export function comesBackToday(card, rating) {
  const seconds = card.intervals?.[RATING_NAMES[rating]];
  return typeof seconds === "number" && seconds < DAY_SECONDS;
}

/** The same question: an answer buries its siblings, so they wait with it. */
export function questionKey(card) {
  return `${card.bank}/${card.question}`;
}
