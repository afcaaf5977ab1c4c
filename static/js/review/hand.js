// The cards in hand: those the server sent ahead of the one on screen, in the order they
// come. A reply is picked by the server when it is asked; a card that left the screen
// after that (answered, buried, suspended) may still be in it, or in the hand it replaces,
// and is never shown twice.
import { questionKey } from "./card.js";

export class Hand {
  constructor() {
    this.cards = [];
    this.clock = 0; // counts what happens, in order: a clock no two events share a tick of
    this.since = 0; // when the request that brought these cards was sent
    this.leftAt = new Map(); // question -> when its card last left the screen
  }

  /** The time now, on the hand's clock: later than any before. */
  stamp() {
    this.clock += 1;
    return this.clock;
  }

  get length() { return this.cards.length; }

  /** The cards of a reply to a request sent at ``since`` (stamp()). */
  fill(cards, since) {
    this.cards = [...cards];
    this.since = since;
  }

  /** ``card`` left the screen: answered, buried or suspended. */
  left(card) { this.leftAt.set(questionKey(card), this.stamp()); }

  /** ``card`` goes back to come next: an Undo shows another in its place. */
  putBack(card) {
    this.leftAt.delete(questionKey(card));
    this.cards.unshift(card);
  }

  /** The first card that may still be shown, those before it dropped: not of a question
   * in ``busy``, nor of one whose card left the screen after the server was asked. */
  take(busy) {
    while (this.cards.length) {
      const card = this.cards.shift();
      if (this.usable(card, busy)) return card;
    }
    return undefined;
  }

  usable(card, busy) {
    if (!card || !card.card_id || busy.has(questionKey(card))) return false;
    const left = this.leftAt.get(questionKey(card));
    return left === undefined || left < this.since;
  }
}
