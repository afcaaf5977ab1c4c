// The review page: one card at a time from the JSON API, answered by keyboard or touch. ES
// modules, no framework and no build step; everything the page needs to know (its bank,
// the learner, the URLs, rendered with url_for) comes from review/review.html.
import { client, fill } from "./api.js";
import { keepOffline } from "./offline.js";
import { AnswerQueue } from "./queue.js";
import { ReviewLoop } from "./review/loop.js";
import { findElements } from "./review/view.js";
import { clickHandler, closeOnBackdrop, keyHandler } from "./review/keys.js";
import { ScheduleSource } from "./review/schedule.js";
import { PracticeSource } from "./review/practice.js";
import { PassagePanel, findPassage } from "./review/passage.js";

function pageUrls(data) {
  return {
    next: data.urlNext,
    undo: data.urlUndo,
    today: data.urlToday,
    answer: (card) => fill(data.urlAnswer, { card }),
    card: (action, card) => fill(data[`url${action[0].toUpperCase()}${action.slice(1)}`], { card }),
  };
}

// A practice session when the page names one, the learner's schedule otherwise.
function sourceFor(loop, root) {
  const { bank, practice, user } = root.dataset;
  if (practice) {
    return new PracticeSource(loop, { bank, practice, reschedule: root.querySelector("[data-reschedule]") });
  }
  return new ScheduleSource(loop, { bank, queue: new AnswerQueue(user, () => loop.renderSync()) });
}

// A page hidden this long (another tab, a phone put away) may show what another device has
// answered since: back in sight, it asks the server again.
const STALE_MS = 60 * 1000;

function freshenWhenBack(loop) {
  let hiddenAt = null;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") { hiddenAt = Date.now(); return; }
    if (hiddenAt !== null && Date.now() - hiddenAt >= STALE_MS) loop.source.freshen?.();
    hiddenAt = null;
  });
}

function start(root) {
  const el = findElements(root);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const loop = new ReviewLoop(el, client({ csrf, login: root.dataset.urlLogin }), pageUrls(root.dataset));
  loop.source = sourceFor(loop, root);
  loop.passage = new PassagePanel(findPassage(root), loop.request);
  root.addEventListener("click", clickHandler(loop));
  document.addEventListener("keydown", keyHandler(loop));
  closeOnBackdrop(el);
  window.addEventListener("online", () => loop.source.online());
  window.addEventListener("offline", () => loop.setOffline(true));
  freshenWhenBack(loop);
  el.card.tabIndex = -1;
  loop.renderSync();
  loop.source.start();
}

const root = document.querySelector("[data-review]");
if (root) {
  start(root);
  keepOffline(); // the page for a reload without a connection (sw.js)
}
