// Signing out leaves nothing of the learner in this browser: the answers still queued by
// review.js (in localStorage, for a lost connection) are sent if the server can be reached,
// then the queue is deleted, then the sign-out form goes on. Sending is bounded in time: an
// answer that cannot be sent now is lost rather than left for the next person at this
// browser. The API counts an answer once whatever the number of sends (its review_token),
// so racing the review page's own sending is harmless.
(() => {
  "use strict";

  const SEND_TIMEOUT_MS = 3000; // each answer
  const forms = document.querySelectorAll("form[data-sign-out]");
  if (!forms.length) return;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  async function send(api, item) {
    const abort = new AbortController();
    const timer = window.setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
    try {
      await fetch(`${api}/review/${item.card_id}`, {
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

  async function sendQueue(form) {
    const key = `wengu.answers.${form.dataset.user}`;
    let queue = [];
    try {
      const stored = JSON.parse(window.localStorage.getItem(key) || "[]");
      if (Array.isArray(stored)) queue = stored;
    } catch (error) {
      queue = [];
    }
    if (navigator.onLine) {
      for (const item of queue) {
        if (item && item.card_id && item.body) await send(form.dataset.api, item);
      }
    }
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // Storage refused: there is nothing stored to remove.
    }
  }

  for (const form of forms) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sending) return;
      event.preventDefault();
      form.dataset.sending = "1";
      // The review page stops writing its queue from here on (see review.js).
      document.dispatchEvent(new CustomEvent("wengu:signing-out"));
      sendQueue(form).finally(() => form.submit());
    });
  }
})();
