// Answering a card in the page: the widgets on its front, from its type's widget
// (types/index.js), and the learner's response to them, checked by check.js. The response
// lives in the loop's state (state.chosen, state.picked); state.ready says whether Check may
// be pressed yet.
import { isRight, suggestedRating } from "../check.js";
import { widgetFor } from "../types/index.js";
import * as view from "./view.js";

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
    this.ready(true);
    const widget = widgetFor(card.type);
    return widget.build ? widget.build(card, this) : [];
  }

  /** Whether the learner has begun to answer the card on screen: chosen, picked or typed. */
  started() {
    const typed = this.loop.el.response.querySelector("input");
    return this.state.chosen.length > 0 || this.state.picked.length > 0 || Boolean(typed?.value.trim());
  }

  /** Check what was chosen or typed, where the page waits for Enter or Check. */
  check() { this.widget().check?.(this); }

  number(number) { this.widget().number?.(this, number); }

  letter(key) { if (this.front()) this.widget().letter?.(this, key); }

  unpick() { if (this.state.card) this.widget().unpick?.(this); }

  /** Whether the response is complete enough to check: the Check button follows it. */
  ready(isReady) {
    this.state.ready = isReady;
    this.loop.el.show.disabled = !isReady;
  }

  /** "I don't know": the widget shows the right answer where it can; the loop the back. */
  giveUp() {
    if (!this.front()) return;
    this.widget().reveal?.(this);
    this.loop.giveUp();
  }

  /** The loop's verdict on response, extra said after it. */
  judge(response, extra = "") {
    const card = this.state.card;
    const rating = suggestedRating(card.type, card.check, response, card.suggest);
    this.loop.verdict(isRight(card.type, card.check, response), extra, rating);
  }

  /** How a typed answer differs from right (runs from check.js's typedDiff). */
  showDiff(runs, right) { view.renderDiff(this.loop.el, runs, right); }
}
