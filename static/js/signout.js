// Signing out leaves nothing of the learner in this browser: the answers still queued by
// the review page (in localStorage, for a lost connection; see queue.js) are sent if the
// server can be reached, then the queue, the cards kept in hand and the service worker's
// cache (sw.js) are deleted, then the sign-out form goes on. Sending
// is bounded in time: an answer that cannot be sent now is lost rather than left for the
// next person at this browser. The API counts an answer once whatever the number of sends
// (its review_token), so racing the review page's own sending is harmless.
import { fill } from "./api.js";
import { forgetOffline } from "./offline.js";
import { dropQueue, keepHand, readQueue } from "./queue.js";

const SEND_TIMEOUT_MS = 3000; // each answer

/** The cards the review page put aside (buried, suspended) for Undo: see review/loop.js. */
function forgetAside(user) {
  try {
    window.sessionStorage.removeItem(`wengu.aside.${user}`);
  } catch (error) {
    // Storage refused: nothing was kept.
  }
}

async function send(url, item, csrf) {
  const abort = new AbortController();
  const timer = window.setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
  try {
    await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item.body),
      signal: abort.signal,
    });
  } catch (error) {
    // Offline or too slow: nothing more can be done for this answer.
  } finally {
    window.clearTimeout(timer);
  }
}

async function sendQueue(form, csrf) {
  const { user, urlAnswer } = form.dataset;
  if (navigator.onLine) {
    for (const item of readQueue(user)) {
      if (item && item.card_id && item.body) await send(fill(urlAnswer, { card: item.card_id }), item, csrf);
    }
  }
  dropQueue(user);
  keepHand(user, null);
  forgetAside(user);
  await forgetOffline(); // the pages and files the service worker kept (sw.js)
}

const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
for (const form of document.querySelectorAll("form[data-sign-out]")) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sending) return;
    event.preventDefault();
    form.dataset.sending = "1";
    // The review page stops writing its queue from here on (see queue.js).
    document.dispatchEvent(new CustomEvent("wengu:signing-out"));
    sendQueue(form, csrf).finally(() => form.submit());
  });
}
