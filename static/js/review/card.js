// Facts about a card as the API sends it, shared by the review loop and its two sources.

/** Types the page checks itself; the others the learner grades after seeing the answer. */
export const AUTO = new Set(["choice", "truefalse", "order", "typing"]);

/** Which of today's counts (new, learning, review) the card is one of. */
export function kindOf(card) {
  return card.state === "relearning" ? "learning" : card.state;
}

/** Whether the card's front needs the Show answer / Check button. */
export function hasShowButton(card) {
  return !AUTO.has(card.type) || (card.type === "choice" && card.check.multiple);
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

/** The same question: an answer buries its siblings, so they wait with it. */
export function questionKey(card) {
  return `${card.bank}/${card.question}`;
}
