// The review loop: one state object, the phases a card goes through (loading, front, back,
// sending, then the next; or waiting, or done), and what the learner does to the card on
// screen. Where the cards come from, and where answers go, is the source's business
// (schedule.js or practice.js); both have the same interface.
import { t } from "../strings.js";
import { Offline } from "../api.js";
import { checkedHere, kindOf } from "./card.js";
import { Responder } from "./response.js";
import * as view from "./view.js";

/** The state of a review page: the card on screen, its phase, the response, the counts. */
export function initialState() {
  return {
    phase: "loading", // loading | front | back | sending | waiting | done
    card: null,
    shownAt: 0,
    suggested: 3, // the rating Space/Enter gives on the back
    correct: null, // the page's verdict on an auto-checked card
    chosen: [],
    picked: [],
    ready: true, // whether the response may be checked (Check enabled)
    done: 0, // done today (a practice: this session), for the progress bar
    counts: null, // left today, as last known
    offline: !navigator.onLine,
  };
}

/** The loop over el (view.findElements), talking to the API through request, at urls. */
export class ReviewLoop {
  constructor(el, request, urls) {
    this.state = initialState();
    // Today's cards done before this visit, as the day's limits count them (none in a practice).
    this.state.done = Number(el.root.dataset.doneToday) || 0;
    this.el = el;
    this.request = request;
    this.urls = urls;
    this.source = null; // a ScheduleSource or a PracticeSource
    this.passage = null; // the "from the notes" panel (passage.js), where the page has one
    this.response = new Responder(this);
    // The buries and suspends Undo can take back, last on top, each with the answers made
    // after it (Undo takes those back first); kept in this tab's sessionStorage for a reload.
    this.aside = new PutAside(el.root.dataset.user);
    this.acting = null; // the bury or suspend on its way
    this.undoing = false; // whether an Undo is on its way
    this.undoArmed = null; // the card whose begun answer a first Undo warned of
  }

  onScreen() { return Boolean(this.state.card) && (this.state.phase === "front" || this.state.phase === "back"); }

  say(message) { view.say(this.el, message); }

  renderCounts() { view.renderCounts(this.el, this.state.counts, this.state.done); }

  renderSync() { view.renderSync(this.el, this.state.offline, this.source ? this.source.queued() : 0); }

  setPhase(phase) {
    this.state.phase = phase;
    this.el.root.dataset.phase = phase; // lets styles and tests follow the loop
  }

  setOffline(offline) {
    this.state.offline = offline;
    this.renderSync();
  }

  /** Show card's front; with no card, the end of the session. */
  show(card) {
    const { state } = this;
    state.card = card;
    this.passage?.reset();
    if (!card) {
      this.setPhase("done");
      view.renderDone(this.el);
      if (this.source.finished) this.source.finished();
      return;
    }
    if (!state.counts) state.counts = { ...card.counts };
    view.renderFront(this.el, card, this.response.build(card));
    this.renderCounts();
    state.correct = null;
    state.suggested = 3;
    this.setPhase("front");
    state.shownAt = performance.now();
  }

  /** Nothing in hand and the connection is down: say so, and wait for it. */
  wait() {
    this.state.card = null;
    this.setPhase("waiting");
    this.passage?.reset();
    view.renderWaiting(this.el);
    if (this.state.counts) this.renderCounts();
  }

  reveal() {
    this.setPhase("back");
    view.renderBack(this.el, this.state.card, this.state.suggested);
    this.passage?.offer(this.state.card);
  }

  /** The check's verdict; rating, the grade it suggests (Hard for a partly right answer). */
  verdict(isRight, extra, rating) {
    this.state.correct = isRight;
    const { suggest } = this.state.card;
    this.state.suggested = rating || (isRight ? suggest.right : suggest.wrong);
    view.renderVerdict(this.el, isRight, extra);
    this.reveal();
  }

  /** "I don't know" on a card the page checks: the answer shows, Again is suggested. */
  giveUp() {
    const { phase, card } = this.state;
    if (phase !== "front" || !checkedHere(card)) return;
    this.state.correct = false;
    this.state.suggested = 1;
    view.renderGivenUp(this.el);
    this.reveal();
  }

  /** Space or Enter: check or show on the front, take the suggested grade on the back. */
  primary() {
    const { phase, card } = this.state;
    if (phase === "back") this.grade(this.state.suggested);
    else if (phase === "front" && checkedHere(card)) { if (this.state.ready) this.response.check(); }
    else if (phase === "front") this.reveal();
  }

  grade(rating) {
    if (this.state.phase !== "back") return;
    this.aside.answered(); // Undo now takes back this answer first
    this.say(""); // "Buried", "Undone": about the card before, not the one answered now
    this.setPhase("sending");
    this.source.grade(rating, Math.round(performance.now() - this.state.shownAt));
  }

  /** N, or the button on the back: the passage of the notes the card comes from. */
  togglePassage() {
    if (this.state.phase === "back") this.passage?.toggle();
  }

  /** Undo: the last bury or suspend, or answer, taken back. One at a time: a tap while
   * one is on its way says so and does nothing (it would take back one more later). With
   * an answer begun on the card on screen (picked, chosen or typed), which Undo would
   * throw away, the first tap only says so; a second on the same card goes on. */
  async undo() {
    if (this.undoing) { this.say(t("One Undo at a time: the last is still on its way.")); return; }
    if (this.state.phase === "front" && this.response.started() && this.undoArmed !== this.state.card) {
      this.undoArmed = this.state.card;
      this.say(t("Undo takes back your last answer, and drops what you began on this card. Undo again to go on."));
      return;
    }
    this.undoArmed = null;
    this.undoing = true;
    try {
      if (this.acting) await this.acting; // a bury or suspend on its way lands, then is taken back
      if (this.state.phase === "sending" || this.state.phase === "loading") return;
      const top = this.aside.top();
      if (top && top.answers === 0) { await this.undoCardAction(top); return; }
      if ((await this.source.undo()) && top) this.aside.unanswered();
    } finally {
      this.undoing = false;
    }
  }

  /** Take back the learner's last answer the server has: that card comes back as it was.
   * Resolves to whether it was taken back. */
  async undoOnServer() {
    let result;
    try {
      result = await this.request("POST", this.urls.undo);
    } catch (error) {
      this.say(error instanceof Offline ? t("Undo needs the connection.") : error.message);
      return false;
    }
    if (result.status === 409) { this.say(t("Nothing to undo.")); return false; }
    if (this.onScreen()) this.source.putBack(this.state.card);
    this.state.done = Math.max(0, this.state.done - 1);
    this.state.counts = { ...result.data.counts };
    this.say(t("Undone: the card is back as it was."));
    this.show(result.data);
    return true;
  }

  /** Bury or suspend the card on screen; the source brings the next. Undo, next, takes
   * it back (the answers before it stay). */
  cardAction(action) {
    if (!this.onScreen() || this.undoing) return this.acting;
    this.acting = this.putAside(action).finally(() => { this.acting = null; });
    return this.acting;
  }

  async putAside(action) {
    const { card, phase } = this.state;
    this.setPhase("sending"); // a second tap while this one is on its way does nothing
    try {
      await this.request("POST", this.urls.card(action, card.card_id));
    } catch (error) {
      this.setPhase(phase);
      this.say(error instanceof Offline ? t("That needs the connection.") : error.message);
      return;
    }
    const kind = kindOf(card);
    this.state.counts[kind] = Math.max(0, this.state.counts[kind] - 1);
    this.aside.push(action, card);
    this.say(action === "bury" ? t("Buried until tomorrow: Undo brings it back.") : t("Suspended: Undo brings it back."));
    this.source.skip(card);
    this.source.recount?.();
  }

  /** Take back the bury or suspend just done: the card is shown again, as it was. */
  async undoCardAction({ action, card }) {
    const phase = this.state.phase;
    this.setPhase("sending");
    try {
      await this.request("POST", this.urls.card(`un${action}`, card.card_id));
    } catch (error) {
      this.setPhase(phase);
      this.say(error instanceof Offline ? t("Undo needs the connection.") : error.message);
      return;
    }
    this.aside.pop();
    if (phase === "front" || phase === "back") this.source.putBack(this.state.card);
    const kind = kindOf(card);
    this.state.counts[kind] += 1;
    this.say(action === "bury" ? t("Unburied: the card is back.") : t("Unsuspended: the card is back."));
    this.show(card);
    this.source.recount?.();
  }
}

const ASIDE = "wengu.aside";

/** The buries and suspends of this tab that Undo can take back, in sessionStorage. */
class PutAside {
  constructor(user) {
    this.key = `${ASIDE}.${user}`;
    try {
      const kept = JSON.parse(window.sessionStorage.getItem(this.key) || "[]");
      this.items = Array.isArray(kept) ? kept.filter((item) => item && item.card && item.action) : [];
    } catch (error) {
      this.items = [];
    }
  }

  top() { return this.items[this.items.length - 1] || null; }

  push(action, card) { this.items.push({ action, card, answers: 0 }); this.save(); }

  pop() { this.items.pop(); this.save(); }

  // An answer made after the top one (Undo takes it back first), or such an answer undone.
  answered() { const top = this.top(); if (top) { top.answers += 1; this.save(); } }

  unanswered() { const top = this.top(); if (top) { top.answers = Math.max(0, top.answers - 1); this.save(); } }

  save() {
    try {
      if (this.items.length) window.sessionStorage.setItem(this.key, JSON.stringify(this.items.slice(-50)));
      else window.sessionStorage.removeItem(this.key);
    } catch (error) {
      // Storage refused: Undo still works in this page.
    }
  }
}
