// Answers not yet confirmed by the server, kept in localStorage so that a lost connection
// or a closed tab loses none. Each item holds the card's id and the body to send; a
// review_token sent twice counts once, so sending again after a lost reply is safe.

/** The storage key of a learner's queue: review.js writes it, signout.js empties it. */
export function queueKey(user) {
  return `wengu.answers.${user}`;
}

/** The learner's stored queue, or an empty one where storage is empty, refused or garbled. */
export function readQueue(user) {
  try {
    const stored = JSON.parse(window.localStorage.getItem(queueKey(user)) || "[]");
    return Array.isArray(stored) ? stored : [];
  } catch (error) {
    return [];
  }
}

/** Forget the learner's stored queue. */
export function dropQueue(user) {
  try {
    window.localStorage.removeItem(queueKey(user));
  } catch (error) {
    // Storage refused: there is nothing stored to remove.
  }
}

/** The queue in the page, written through to storage on every change. */
export class AnswerQueue {
  constructor(user, onChange) {
    this.user = user;
    this.items = readQueue(user);
    this.onChange = onChange;
    // Once signing out has begun, signout.js sends and deletes the stored queue: writing
    // it back now would leave answers in the browser after sign-out.
    this.closed = false;
    document.addEventListener("wengu:signing-out", () => { this.closed = true; });
  }

  get length() { return this.items.length; }

  get first() { return this.items[0]; }

  get last() { return this.items[this.items.length - 1]; }

  push(item) { this.items.push(item); this.save(); }

  // Only the last ``kept`` items keep the card they answer (for Undo): the queue must fit
  // in storage however long the connection is lost.
  forgetCards(kept) {
    this.items.slice(0, -kept).forEach((item) => { delete item.card; });
    this.save();
  }

  shift() { const item = this.items.shift(); this.save(); return item; }

  pop() { const item = this.items.pop(); this.save(); return item; }

  save() {
    if (this.closed) return;
    try {
      if (this.items.length) window.localStorage.setItem(queueKey(this.user), JSON.stringify(this.items));
      else window.localStorage.removeItem(queueKey(this.user));
    } catch (error) {
      // Storage full or refused: the queue still lives in the page until it is sent.
    }
    this.onChange();
  }
}

// The cards in hand, kept in this tab's sessionStorage (not localStorage: they are only
// for a reload of this tab, and go with it) so that a reload without a connection shows
// them; review/schedule.js writes them, signout.js deletes them.
const HAND = "wengu.hand";

/** The cards kept in hand for ``user``: { bank, counts, cards }, or null. */
export function readHand(user) {
  try {
    const kept = JSON.parse(window.sessionStorage.getItem(`${HAND}.${user}`) || "null");
    return kept && typeof kept === "object" && Array.isArray(kept.cards) ? kept : null;
  } catch (error) {
    return null;
  }
}

/** Keep ``hand`` ({ bank, counts, cards }) for ``user``, or forget it when ``hand`` is null. */
export function keepHand(user, hand) {
  try {
    if (hand && hand.cards.length) window.sessionStorage.setItem(`${HAND}.${user}`, JSON.stringify(hand));
    else window.sessionStorage.removeItem(`${HAND}.${user}`);
  } catch (error) {
    // Storage full or refused: a reload offline shows no card, as before.
  }
}
