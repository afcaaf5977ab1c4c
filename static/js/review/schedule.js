// Cards from the learner's schedule, and a flaky connection that loses nothing.
//
// The page keeps a few cards in hand (the API's "ahead"), so that the next card shows at
// once, online or not, and asks for more only when the hand runs low; they are kept in
// sessionStorage too, so that a reload without a connection (the page itself kept by
// sw.js) shows them again. Each answer goes into the queue kept in localStorage (queue.js) and
// is sent with its card's review_token until the server confirms it; a token sent twice
// counts once, so a retry after a lost reply cannot answer a card twice.
import { t } from "../strings.js";
import { Offline, withQuery } from "../api.js";
import { keepHand, readHand } from "../queue.js";
import { answerBody, comesBackToday, kindOf, questionKey } from "./card.js";
import { Hand } from "./hand.js";
import { renderLater } from "./view.js";

const FIRST = 3; // cards fetched ahead with the first, which the page waits for
const AHEAD = 5; // cards fetched ahead with an answer, while the learner reads the next
const LOW = 2; // cards in hand at which an answer asks for more
const RETRY_FIRST_MS = 1000;
const RETRY_MOST_MS = 30000;
const NONE_LEFT = { new: 0, learning: 0, review: 0 };
const UNDO_KEPT = 10; // the last answers queued that keep their card, for Undo (storage is small)

/** The schedule: the source of the review loop for a bank's due cards. */
export class ScheduleSource {
  constructor(loop, { bank, queue }) {
    this.loop = loop;
    this.bank = bank;
    this.queue = queue; // an AnswerQueue
    this.hand = new Hand(); // cards fetched ahead
    this.flushing = null; // the queue being sent, while it is
    this.retryDelay = RETRY_FIRST_MS;
    this.retryTimer = null;
  }

  queued() { return this.queue.length; }

  start() {
    if (!this.queue.length) { this.load(); return; }
    this.loop.setPhase("loading");
    // Answers left from an earlier visit go first; the last brings the next card. Meanwhile
    // (a slow connection) the cards kept in hand are shown, as they are offline.
    this.restoreHand();
    this.flush();
  }

  async load() {
    const { loop } = this;
    loop.setPhase("loading");
    const sent = this.hand.stamp();
    try {
      const { data } = await loop.request("GET", withQuery(loop.urls.next, { bank: this.bank, ahead: FIRST }));
      this.goOnline();
      this.refill(data, sent);
    } catch (error) {
      if (error instanceof Offline) {
        this.goOffline();
        if (!this.restoreHand()) loop.wait();
        return;
      }
      loop.say(t("Could not load the next card: {error}", { error: error.message }));
    }
  }

  grade(rating, elapsed) {
    const { state } = this.loop;
    const card = state.card;
    const kind = kindOf(card);
    this.queue.push({
      card_id: card.card_id,
      bank: card.bank,
      question: card.question,
      kind,
      back: comesBackToday(card, rating), // counted in learning at once, as the server will
      body: answerBody(card, rating, elapsed, state.correct),
      card, // as shown: Undo shows it again, after a reload too
    });
    this.queue.forgetCards(UNDO_KEPT);
    this.hand.left(card);
    state.done += 1;
    this.countQueued(state.counts, this.queue.last);
    this.showNext();
    this.flush();
  }

  /** ``counts`` with an answer the server has not had yet: one card fewer of its kind, and
   * one more learning card if the answer brings it back today. */
  countQueued(counts, item) {
    counts[item.kind] = Math.max(0, counts[item.kind] - 1);
    if (item.back) counts.learning += 1;
  }

  // Nothing is due now: whether the day is done, or learning cards come back later today.
  async finished() {
    const { loop } = this;
    let result;
    try {
      result = await loop.request("GET", withQuery(loop.urls.today, { bank: this.bank }));
    } catch {
      return; // offline: "Done for now" stands, and is true
    }
    if (loop.state.phase !== "done") return;
    loop.state.counts = { ...result.data.counts };
    loop.renderCounts();
    renderLater(loop.el, result.data.counts.learning, result.data.learning_due);
  }

  // After a bury or suspend of card: the next card.
  skip(card) {
    this.hand.left(card);
    this.showNext();
  }

  // After a bury or suspend, or its undo: today's counts from the server, which knows
  // whether another new card takes the place of one put aside (the day's limit unchanged),
  // less the answers it has not had yet. Offline, the counts kept stand.
  async recount() {
    const { loop } = this;
    if (this.flushing) await this.flushing; // an answer on its way is counted by then
    let result;
    try {
      result = await loop.request("GET", withQuery(loop.urls.today, { bank: this.bank }));
    } catch {
      return;
    }
    const counts = { ...NONE_LEFT, ...result.data.counts };
    for (const item of this.queue.items) this.countQueued(counts, item);
    if (loop.onScreen()) counts[kindOf(loop.state.card)] = Math.max(1, counts[kindOf(loop.state.card)]);
    loop.state.counts = counts;
    loop.renderCounts();
    this.keepHand();
  }

  putBack(card) { this.hand.putBack(card); }

  /** Take back the last answer; resolves to whether an answer was taken back. */
  async undo() {
    const unsent = this.queue.length - (this.flushing ? 1 : 0); // the first may be on its way
    if (unsent > 0 && this.queue.last.card) { this.undoUnsent(); return true; }
    if (this.flushing) await this.flushing; // the answer on its way lands first, then is taken back
    // A send that failed (offline, a retry in flight when the key came) left it unsent.
    if (this.queue.length && this.queue.last.card) { this.undoUnsent(); return true; }
    if (this.queue.length) { this.loop.say(t("Undo needs the connection.")); return false; }
    return this.loop.undoOnServer();
  }

  // The last answer is not sent yet: taking it out of the queue is all it takes.
  undoUnsent() {
    const { loop } = this;
    const last = this.queue.pop();
    if (loop.state.card) this.putBack(loop.state.card);
    loop.state.counts[last.kind] += 1;
    if (last.back) loop.state.counts.learning = Math.max(0, loop.state.counts.learning - 1);
    loop.state.done = Math.max(0, loop.state.done - 1);
    loop.say(t("Undone: the card is back as it was."));
    loop.show(last.card);
    this.keepHand();
  }

  // The connection is back (or a retry's time has come): send what waits, or load.
  online() {
    this.goOnline();
    this.resume();
  }

  resume() {
    if (this.queue.length) this.flush();
    else if (this.idle()) this.load();
  }

  idle() { return this.loop.state.phase === "waiting" || this.loop.state.phase === "loading"; }

  // The page is back in sight after a while: the card on screen, the hand and the counts
  // may be stale (answered on another device, come due since). With no answer waiting to be
  // sent and nothing begun on the card on screen, the server's are shown instead.
  freshen() {
    const { loop } = this;
    if (this.queue.length || loop.state.offline) return;
    const { phase } = loop.state;
    if (phase === "done" || (phase === "front" && !loop.response.started())) this.load();
  }

  // The card in hand comes next; with none, the server's next card, or a wait for it.
  showNext() {
    const next = this.hand.take(this.busy());
    this.keepHand(next);
    if (next) this.loop.show(next);
    else if (this.loop.state.offline) this.loop.wait();
    else if (this.queue.length) this.loop.setPhase("loading"); // the answer on its way brings it
    else this.load();
  }

  // The questions whose cards the hand may not show: those of the answers still queued (an
  // answer buries its siblings) and of the card on screen.
  busy() {
    const busy = new Set(this.queue.items.map(questionKey));
    if (this.loop.onScreen()) busy.add(questionKey(this.loop.state.card));
    return busy;
  }

  // The card on screen (or ``next``, about to be) and those in hand, for a reload offline.
  keepHand(next) {
    if (this.queue.closed) return; // signing out: nothing of the learner stays
    const { loop } = this;
    const shown = next || (loop.onScreen() ? loop.state.card : null);
    const cards = shown ? [shown, ...this.hand.cards] : [...this.hand.cards];
    keepHand(this.queue.user, { bank: this.bank, counts: loop.state.counts, cards });
  }

  // Offline from the start (a reload without a connection): the cards kept in hand, less
  // those answered and still queued. False when there are none.
  restoreHand() {
    const { loop } = this;
    const kept = readHand(this.queue.user);
    if (loop.onScreen() || this.hand.length || !kept || kept.bank !== this.bank) return false;
    this.hand.fill(kept.cards, 0); // from an earlier page: what left the screen in this one stays out
    loop.state.counts = { ...NONE_LEFT, ...kept.counts };
    const next = this.hand.take(this.busy());
    if (!next) return false;
    loop.show(next);
    return true;
  }

  // A fresh next card from the server, asked for at ``since``, with those that follow it,
  // once it knows every answer sent so far. Leaves out what the hand may not show (Hand.take).
  refill(next, since) {
    const { loop } = this;
    loop.state.counts = { ...(next ? next.counts : NONE_LEFT) };
    for (const item of this.queue.items) this.countQueued(loop.state.counts, item);
    this.hand.fill(next ? [next, ...(next.ahead || [])] : [], since);
    // A card on screen, or a bury or suspend on its way, keeps the screen as it is.
    if (loop.onScreen() || loop.state.phase === "sending") loop.renderCounts();
    else loop.show(this.hand.take(this.busy()) || null);
    this.keepHand();
  }

  goOffline() {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => { this.retryTimer = null; this.resume(); }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MOST_MS);
    this.loop.setOffline(true);
  }

  goOnline() {
    this.retryDelay = RETRY_FIRST_MS;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.loop.setOffline(false);
  }

  // Send the queued answers in order; the last one brings the next cards.
  flush() {
    if (!this.flushing) this.flushing = this.sendQueue().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  async sendQueue() {
    while (this.queue.length) {
      const sent = await this.sendFirst();
      if (!sent) return;
    }
    if (this.idle()) this.load();
  }

  // Send the first answer of the queue; false when the connection is lost. The last one
  // asks for cards if the hand is low.
  async sendFirst() {
    const { loop } = this;
    const item = this.queue.first;
    const refill = this.queue.length === 1 && this.hand.length <= LOW;
    const more = refill ? { next: true, ahead: AHEAD, bank: this.bank } : {};
    const sent = this.hand.stamp();
    let result;
    try {
      result = await loop.request("POST", loop.urls.answer(item.card_id), { ...item.body, ...more });
    } catch (error) {
      if (error instanceof Offline) {
        this.goOffline();
        if (loop.state.phase === "loading" && !this.restoreHand()) loop.wait();
        return false;
      }
      // Refused for good (the card was retired, say): keeping it would block the rest.
      loop.say(t("One answer could not be saved: {reason}", { reason: error.message }));
      this.queue.shift();
      return true;
    }
    this.queue.shift();
    this.goOnline();
    if (refill && !this.queue.length) this.refill(result.data.next, sent);
    return true;
  }
}
