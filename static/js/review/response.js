// Answering a card in the page: the widgets on its front, from its type's widget
// (types/index.js), and the learner's response to them, checked by check.js. The response
// lives in the loop's state (state.chosen, state.picked).
import { isRight, suggestedRating } from "../check.js";
import { widgetFor } from "../types/index.js";

/** The in-page answers to the card on screen, for the loop and the type widgets. */
export class Responder {
  constructor(loop) {
    this.loop = loop;
    this.state = loop.state;
  }

  widget() { return widgetFor(this.state.card.type); }

  buttons() { return Array.from(this.loop.el.response.querySelectorAll(".option")); }

  front() { return this.state.phase === "front"; }

  /** The widgets for card's front; the response starts empty. */
  build(card) {
    this.state.chosen = [];
    this.state.picked = [];
    const widget = widgetFor(card.type);
    return widget.build ? widget.build(card, this) : [];
  }

  /** Check what was chosen or typed, where the page waits for Enter or Check. */
  check() { this.widget().check?.(this); }

  number(number) { this.widget().number?.(this, number); }

  letter(key) { if (this.front()) this.widget().letter?.(this, key); }

  unpick() { if (this.state.card) this.widget().unpick?.(this); }

  /** The loop's verdict on response, extra said after it. */
  judge(response, extra = "") {
    const card = this.state.card;
    const rating = suggestedRating(card.type, card.check, response, card.suggest);
    this.loop.verdict(isRight(card.type, card.check, response), extra, rating);
  }
}
