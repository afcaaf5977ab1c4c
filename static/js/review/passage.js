// "From the notes": after an answer, a card whose question cites a passage of its bank's
// notes (the payload's short `source`: ref, title, url) offers it in a panel beside the
// explanation (below it on a phone). The passage is fetched when first asked for, from the
// API at source.url, and kept for the rest of the page's life; the service worker does not
// keep passages, so without a connection the panel says the notes are unavailable offline.
import { t } from "../strings.js";
import { Offline } from "../api.js";

const fetched = new Map(); // source.url -> the API's passage, or a promise of it

/** The panel's elements, found once under root (templates/review/review.html). */
export function findPassage(root) {
  const $ = (selector) => root.querySelector(selector);
  return {
    offer: $("[data-passage-offer]"),
    toggle: $('[data-action="passage"]'),
    offerTitle: $("[data-passage-offer-title]"),
    panel: $("[data-passage]"),
    path: $("[data-passage-path]"),
    status: $("[data-passage-status]"),
    body: $("[data-passage-body]"),
    where: $("[data-passage-where]"),
  };
}

/** The panel of one page: offered on a card's back, opened and closed by the learner. */
export class PassagePanel {
  constructor(el, request) {
    this.el = el;
    this.request = request;
    this.card = null; // the card whose back is on screen, while it offers a passage
  }

  get open() { return !this.el.panel.hidden; }

  /** A new card's front: nothing offered, the panel closed and empty. */
  reset() {
    this.card = null;
    this.el.offer.hidden = true;
    this.close(false);
  }

  /** The card's back: its passage offered, if it cites one. */
  offer(card) {
    this.card = card.source ? card : null;
    this.el.offer.hidden = !this.card;
    if (this.card) this.el.offerTitle.textContent = card.source.title || card.source.ref;
  }

  toggle() {
    if (this.open) this.close(true);
    else this.show();
  }

  /** Close the panel; with refocus, focus goes back to the button that opens it. */
  close(refocus) {
    const inside = this.el.panel.contains(document.activeElement);
    this.el.panel.hidden = true;
    this.el.toggle.setAttribute("aria-expanded", "false");
    if (refocus || inside) {
      if (!this.el.offer.hidden) this.el.toggle.focus({ preventScroll: true });
    }
  }

  /** Open the panel on the card's passage, fetched if this page has not fetched it yet. */
  async show() {
    const { card } = this;
    if (!card) return;
    const { source } = card;
    this.el.panel.hidden = false;
    this.el.toggle.setAttribute("aria-expanded", "true");
    this.el.path.textContent = source.title || source.ref;
    this.el.where.textContent = "";
    this.el.body.replaceChildren();
    this.say(t("Loading the passage…"));
    // Below the explanation on a phone: brought into sight if it opens low on the screen.
    if (this.el.panel.getBoundingClientRect().top > innerHeight * 0.6) {
      this.el.panel.scrollIntoView({ block: "start" });
    }
    let passage;
    try {
      passage = await this.passage(source.url);
    } catch (error) {
      if (this.card === card) this.say(this.failure(error), true);
      return;
    }
    if (this.card !== card || !this.open) return; // the learner moved on meanwhile
    this.say("");
    this.el.path.textContent = passage.path.join(" › ") || source.title;
    this.el.where.textContent = t("{file}, line {line}", { file: passage.file, line: passage.line });
    // Rendered and sanitised by the server, as an explanation is.
    this.el.body.innerHTML = passage.html;
  }

  async passage(url) {
    if (!fetched.has(url)) {
      const pending = this.request("GET", url).then((result) => result.data);
      fetched.set(url, pending);
      pending.then((data) => fetched.set(url, data), () => fetched.delete(url));
    }
    return fetched.get(url);
  }

  failure(error) {
    // No connection at all (a server's error or its rate limit is an Offline too, with its say).
    if (!navigator.onLine || (error instanceof Offline && error.message === t("No connection"))) {
      return t("The notes are unavailable offline: this passage shows once the connection is back.");
    }
    return t("Could not load the passage: {error}", { error: error.message });
  }

  say(message, failed = false) {
    this.el.status.textContent = message;
    this.el.status.classList.toggle("is-failed", failed);
  }
}
