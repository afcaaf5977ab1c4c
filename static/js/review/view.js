// The review page's markup (templates/review/review.html), and a render function for each
// phase of the loop: front, back, waiting, done; plus counts, sync status and messages.
import { t } from "../strings.js";
import { checkedHere, hasShowButton } from "./card.js";
import { widgetFor } from "../types/index.js";

const RATINGS = { 1: "again", 2: "hard", 3: "good", 4: "easy" };
const STATUS_MS = 4000; // how long a status message stays

/** A number of seconds as the grade buttons show it: <1m, 10m, 3h, 4d, 2.5mo, 1.2y. */
export function formatInterval(seconds) {
  const short = (value, digits) => value.toFixed(digits).replace(/\.0$/, "");
  if (seconds < 60) return t("<1m");
  const minutes = seconds / 60;
  if (minutes < 60) return t("{n}m", { n: Math.round(minutes) });
  const hours = minutes / 60;
  if (hours < 24) return t("{n}h", { n: Math.round(hours) });
  const days = hours / 24;
  if (days < 30) return t("{n}d", { n: Math.round(days) });
  if (days < 365) return t("{n}mo", { n: short(days / 30, days < 300 ? 1 : 0) });
  return t("{n}y", { n: short(days / 365, 1) });
}

/** The elements the loop writes to, found once. */
export function findElements(root) {
  const $ = (selector) => root.querySelector(selector);
  const names = ["card", "section", "state", "prompt", "response", "back", "verdict", "answer",
    "explanation", "done", "grades", "status", "help", "edit", "progress", "sync", "waiting", "diff"];
  const el = Object.fromEntries(names.map((name) => [name, $(`[data-${name}]`)]));
  return {
    ...el,
    root,
    show: $('[data-action="show"]'),
    giveUp: $('[data-action="giveup"]'),
    showLabel: $("[data-show-label]"),
    showKey: $("[data-show-key]"),
    progressRole: $('[role="progressbar"]'),
    rating: (rating) => $(`[data-rating="${rating}"]`),
    interval: (name) => $(`[data-ivl="${name}"]`),
    count: (kind) => $(`[data-count="${kind}"]`),
  };
}

function hideAll(el) {
  for (const part of [el.card, el.show, el.giveUp, el.grades, el.done, el.waiting]) part.hidden = true;
}

function renderFaces(el, card) {
  el.card.dataset.cardId = String(card.card_id);
  el.card.dataset.type = card.type;
  el.section.textContent = card.section || "";
  el.section.hidden = !card.section;
  el.state.textContent = t(card.state);
  el.state.className = "state-badge state-" + card.state;
  // Rendered and sanitised by the server.
  el.prompt.innerHTML = card.prompt_html;
  el.answer.innerHTML = card.answer_html;
  el.explanation.innerHTML = card.explanation_html;
}

function renderGrades(el, card) {
  for (const [rating, name] of Object.entries(RATINGS)) {
    el.interval(name).textContent = formatInterval(card.intervals[name]);
    el.rating(rating).classList.remove("suggested");
  }
}

function renderEdit(el, card) {
  el.edit.hidden = !card.edit;
  if (!card.edit) return;
  el.edit.href = card.edit.url;
  el.edit.title = t("Edit at {path}, line {line}", { path: card.edit.path, line: card.edit.line });
}

/** The card's front, with response (the widgets to answer it) in place. */
export function renderFront(el, card, response) {
  hideAll(el);
  el.card.hidden = false;
  renderFaces(el, card);
  el.back.hidden = true;
  el.verdict.hidden = true;
  el.verdict.className = "verdict";
  el.diff.hidden = true;
  el.diff.replaceChildren();
  el.response.replaceChildren(...response);
  renderGrades(el, card);
  renderEdit(el, card);
  el.show.hidden = !hasShowButton(card);
  el.giveUp.hidden = !checkedHere(card); // a self-graded card is given up on with Again
  const widget = widgetFor(card.type);
  el.showLabel.textContent = widget.showLabel ? widget.showLabel(card) : t("Show answer");
  const input = el.response.querySelector("input");
  // In a text box Space types a space: there only Enter checks, and the hint says so.
  el.showKey.textContent = input && input.type === "text" ? "Enter" : "Space";
  if (input) input.focus({ preventScroll: true });
  else el.card.focus({ preventScroll: true });
  window.scrollTo({ top: 0 });
  if (input) fieldInSight(el, input);
  widget.front?.(el, card);
}

// On a short screen (a phone held sideways) the typing field is not held above the action
// bar (wengu.css) and may start under it: scroll the least that brings it into sight, no
// further than the card's top, so that the question stays in sight above it.
function fieldInSight(el, input) {
  // Held above the bar already where the screen is tall enough (wengu.css: the same 32rem;
  // the phase that styles it may be set only after this front is drawn).
  if (matchMedia("(min-height: 32rem)").matches) return;
  const bar = document.querySelector(".action-bar")?.getBoundingClientRect().top ?? innerHeight;
  const over = input.getBoundingClientRect().bottom + 8 - bar;
  const room = el.card.getBoundingClientRect().top;
  if (over > 0 && room > 0) window.scrollBy({ top: Math.min(over, room), behavior: "instant" });
}

/** The card's back: the answer, the grades with the suggested one focused. */
export function renderBack(el, card, suggested) {
  widgetFor(card.type).back?.(el, card);
  el.back.hidden = !el.answer.hasChildNodes() && !card.explanation_html && !card.source && el.verdict.hidden;
  el.show.hidden = true;
  el.giveUp.hidden = true;
  el.grades.hidden = false;
  el.rating(suggested).classList.add("suggested");
  for (const control of el.response.querySelectorAll("button, input")) control.disabled = true;
  // "Choose…, then press Enter" is done with: the marked options speak for themselves.
  for (const instruction of el.response.querySelectorAll(".hint")) instruction.hidden = true;
  if (document.activeElement && document.activeElement.tagName === "INPUT") document.activeElement.blur();
  el.rating(suggested).focus({ preventScroll: true });
  // A tall front (a diagram, a long order) leaves the answer below the fold on a phone: the
  // learner would see the screen unchanged. Bring the back's top to mid-screen, no further
  // than keeps the option chosen in sight, and at least as far as shows the verdict above
  // the action bar.
  const back = el.back.getBoundingClientRect().top;
  if (!el.back.hidden && back > innerHeight / 2) {
    const chosen = (el.response.querySelector(".is-chosen") || el.response).getBoundingClientRect().top;
    const bar = document.querySelector(".action-bar")?.getBoundingClientRect().top ?? innerHeight;
    const by = Math.max(Math.min(back - innerHeight / 2, chosen - 12), back - (bar - 96));
    window.scrollBy({ top: by, behavior: "instant" });
  }
}

/** Right or wrong, said in words above the answer. */
export function renderVerdict(el, isRight, extra) {
  el.verdict.hidden = false;
  el.verdict.classList.add(isRight ? "is-right" : "is-wrong");
  el.verdict.textContent = (isRight ? t("✓ Right") : t("✗ Not quite")) + (extra || "");
}

/** The learner said "I don't know". */
export function renderGivenUp(el) {
  el.verdict.hidden = false;
  el.verdict.classList.add("is-wrong");
  el.verdict.textContent = t("✗ Not known: here is the answer");
}

function diffLine(label, runs) {
  const line = document.createElement("p");
  const name = document.createElement("span");
  name.className = "label";
  name.textContent = label;
  const text = document.createElement("span");
  text.className = "diff-text";
  for (const { kind, text: chars } of runs) {
    const tag = { same: "span", wrong: "del", missing: "ins" }[kind];
    const part = document.createElement(tag);
    part.className = "diff-" + kind;
    if (kind !== "same") {
      const words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = kind === "wrong" ? t("(wrong:)") : t("(missing:)");
      part.append(words);
    }
    part.append(chars);
    text.append(part);
  }
  line.append(name, " ", text);
  return line;
}

/** A typed near miss: the typed answer with its wrong and missing characters, the right one below. */
export function renderDiff(el, runs, right) {
  const legend = document.createElement("p");
  legend.className = "hint";
  legend.textContent = t("Struck through: typed but wrong. Underlined: missing.");
  el.diff.replaceChildren(
    diffLine(t("You typed:"), runs.filter((run) => run.kind !== "missing" || run.text)),
    diffLine(t("Right answer:"), [{ kind: "same", text: right }]),
    legend,
  );
  el.diff.hidden = false;
  el.back.hidden = false;
}

/** Nothing in hand and no connection: the page waits for it. */
export function renderWaiting(el) {
  hideAll(el);
  el.waiting.hidden = false;
}

/** Nothing more to review. */
export function renderDone(el) {
  hideAll(el);
  el.done.hidden = false;
  el.done.querySelector("a").focus();
}

/** The end of the session, told truly: done for today, or learning cards come back at a
 * time, in the learner's time zone (the page's data-zone). */
export function renderLater(el, learning, due) {
  const title = el.done.querySelector("[data-done-title]");
  const text = el.done.querySelector("[data-done-text]");
  if (!title || !text) return;
  if (!due || !learning) {
    title.textContent = t("Done for today");
    text.textContent = t("Nothing more is due in this bank today. Come back tomorrow.");
    return;
  }
  const time = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: el.root.dataset.zone || undefined,
  }).format(new Date(due));
  title.textContent = t("Done for now");
  const message = learning === 1 ? "1 learning card comes back at {time}." : "{n} learning cards come back today, the first at {time}.";
  text.textContent = t(message, { n: learning, time });
}

/** Cards left today by kind, and the share of the day done (a practice: of the session). */
export function renderCounts(el, counts, done) {
  for (const kind of ["new", "learning", "review"]) el.count(kind).textContent = counts[kind];
  const total = done + counts.new + counts.learning + counts.review;
  const percent = total ? Math.round((100 * done) / total) : 100;
  el.progress.style.width = percent + "%";
  el.progressRole.setAttribute("aria-valuenow", String(percent));
}

function syncMessage(offline, queued) {
  if (!offline) return "";
  if (!queued) return t("Offline: answers are kept until the connection is back");
  if (queued === 1) return t("Offline, 1 answer waiting");
  return t("Offline, {n} answers waiting", { n: queued });
}

/** The connection and the answers waiting for it. */
export function renderSync(el, offline, queued) {
  const message = syncMessage(offline, queued);
  el.sync.hidden = !message;
  el.sync.textContent = message;
  el.root.dataset.queued = String(queued); // lets tests follow the queue
}

/** A passing message in the status line. */
export function say(el, message) {
  el.status.textContent = message;
  if (!message) return;
  window.setTimeout(() => { if (el.status.textContent === message) el.status.textContent = ""; }, STATUS_MS);
}
