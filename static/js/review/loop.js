// The review loop: one state object, the phases a card goes through (loading, front, back,
// sending, then the next; or waiting, or done), and what the learner does to the card on
// screen. Where the cards come from, and where answers go, is the source's business
// (schedule.js or practice.js); both have the same interface.
import { t } from "../strings.js";
import { Offline } from "../api.js";
import { AUTO, kindOf } from "./card.js";
import { responder } from "./response.js";
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
    done: 0, // answered this session
    counts: null, // left today, as last known
    offline: !navigator.onLine,
  };
}

/** The loop over el (view.findElements) talking to the API through request, at urls. */
export function createLoop(el, request, urls) {
  const state = initialState();
  const loop = { state, el, request, urls, source: null };
  const response = responder(loop);
  const onScreen = () => state.card && (state.phase === "front" || state.phase === "back");

  Object.assign(loop, {
    response,
    onScreen,
    say: (message) => view.say(el, message),
    renderCounts: () => view.renderCounts(el, state.counts, state.done),
    renderSync: () => view.renderSync(el, state.offline, loop.source ? loop.source.queued() : 0),

    setPhase(phase) {
      state.phase = phase;
      el.root.dataset.phase = phase; // lets styles and tests follow the loop
    },

    setOffline(offline) {
      state.offline = offline;
      loop.renderSync();
    },

    /** Show card's front; with no card, the end of the session. */
    show(card) {
      state.card = card;
      if (!card) {
        loop.setPhase("done");
        view.renderDone(el);
        return;
      }
      if (!state.counts) state.counts = { ...card.counts };
      view.renderFront(el, card, response.build(card));
      loop.renderCounts();
      state.correct = null;
      state.suggested = 3;
      loop.setPhase("front");
      state.shownAt = performance.now();
    },

    /** Nothing in hand and the connection is down: say so, and wait for it. */
    wait() {
      state.card = null;
      loop.setPhase("waiting");
      view.renderWaiting(el);
      if (state.counts) loop.renderCounts();
    },

    reveal() {
      loop.setPhase("back");
      view.renderBack(el, state.card, state.suggested);
    },

    verdict(isRight, extra) {
      state.correct = isRight;
      state.suggested = isRight ? 3 : 1;
      view.renderVerdict(el, isRight, extra);
      loop.reveal();
    },

    /** Space or Enter: check or show on the front, take the suggested grade on the back. */
    primary() {
      if (state.phase === "back") loop.grade(state.suggested);
      else if (state.phase === "front" && AUTO.has(state.card.type)) response.check();
      else if (state.phase === "front") loop.reveal();
    },

    grade(rating) {
      if (state.phase !== "back") return;
      loop.setPhase("sending");
      loop.source.grade(rating, Math.round(performance.now() - state.shownAt));
    },

    undo() {
      if (state.phase === "sending" || state.phase === "loading") return;
      loop.source.undo();
    },

    undoOnServer: () => undoOnServer(loop),
    cardAction: (action, message) => cardAction(loop, action, message),
  });
  return loop;
}

// Take back the learner's last answer the server has: that card comes back as it was.
async function undoOnServer(loop) {
  const { state } = loop;
  let result;
  try {
    result = await loop.request("POST", loop.urls.undo);
  } catch (error) {
    loop.say(error instanceof Offline ? t("Undo needs the connection.") : error.message);
    return;
  }
  if (result.status === 409) { loop.say(t("Nothing to undo.")); return; }
  if (loop.onScreen()) loop.source.putBack(state.card);
  state.done = Math.max(0, state.done - 1);
  state.counts = { ...result.data.counts };
  loop.say(t("Undone: the card is back as it was."));
  loop.show(result.data);
}

// Bury or suspend the card on screen; the source brings the next.
async function cardAction(loop, action, message) {
  const { state } = loop;
  if (!loop.onScreen()) return;
  const card = state.card;
  try {
    await loop.request("POST", loop.urls.card(action, card.card_id));
  } catch (error) {
    loop.say(error instanceof Offline ? t("That needs the connection.") : error.message);
    return;
  }
  state.counts[kindOf(card)] = Math.max(0, state.counts[kindOf(card)] - 1);
  loop.say(message);
  loop.source.skip();
}
