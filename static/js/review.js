// The review loop: one card at a time from /api/v1, answered by keyboard or touch.
// No framework and no build step; the page works from the markup in review/review.html.
//
// A flaky connection loses nothing. The page keeps a few cards in hand (the API's "ahead"),
// so that the next card shows at once, online or not. Each answer goes into a queue kept in
// localStorage, and is sent with its card's review_token until the server confirms it; a
// token sent twice counts once, so a retry after a lost reply cannot answer a card twice.
(() => {
  "use strict";

  const root = document.querySelector("[data-review]");
  if (!root) return;
  const STRINGS = JSON.parse(document.getElementById("strings")?.textContent || "{}");
  const t = (text, values = {}) => (STRINGS[text] ?? text).replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

  const bank = root.dataset.bank;
  const practice = root.dataset.practice || null; // an extra study session, outside the schedule
  const reschedule = root.querySelector("[data-reschedule]");
  const seen = [];
  const apiBase = root.dataset.api;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (selector) => root.querySelector(selector);
  const $$ = (selector) => Array.from(root.querySelectorAll(selector));

  const AHEAD = 3; // cards kept in hand beyond the one shown
  const RETRY_FIRST_MS = 1000;
  const RETRY_MOST_MS = 30000;
  const queueKey = `wengu.answers.${root.dataset.user}`;

  const el = {
    card: $("[data-card]"),
    section: $("[data-section]"),
    state: $("[data-state]"),
    prompt: $("[data-prompt]"),
    response: $("[data-response]"),
    back: $("[data-back]"),
    verdict: $("[data-verdict]"),
    answer: $("[data-answer]"),
    explanation: $("[data-explanation]"),
    done: $("[data-done]"),
    show: $('[data-action="show"]'),
    showLabel: $("[data-show-label]"),
    grades: $("[data-grades]"),
    status: $("[data-status]"),
    help: $("[data-help]"),
    edit: $("[data-edit]"),
    progress: $("[data-progress]"),
    progressRole: $('[role="progressbar"]'),
    sync: $("[data-sync]"),
    waiting: $("[data-waiting]"),
  };

  const RATINGS = { 1: "again", 2: "hard", 3: "good", 4: "easy" };
  const AUTO = new Set(["choice", "truefalse", "order", "typing"]);

  let card = null;
  let phase = "loading"; // loading | front | back | sending | waiting | done
  let shownAt = 0;
  let suggested = 3;
  let correct = null;
  let chosen = new Set();
  let picked = [];
  let answeredThisSession = 0;
  let hand = []; // cards fetched ahead, in the order they come
  let counts = null; // left today, as last known
  let offline = !navigator.onLine;
  let flushing = null; // the queue being sent, while it is
  let retryDelay = RETRY_FIRST_MS;
  let retryTimer = null;
  const answered = new Map(); // card_id -> the card as shown, to undo an answer not yet sent

  // -- the queue of answers not yet confirmed ------------------------------------------------

  function readQueue() {
    try {
      const stored = JSON.parse(window.localStorage.getItem(queueKey) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      return [];
    }
  }

  let queue = readQueue();

  // Once signing out has begun, signout.js sends and deletes the stored queue: writing it
  // back now would leave answers in the browser after sign-out.
  let signingOut = false;
  document.addEventListener("wengu:signing-out", () => { signingOut = true; });

  function saveQueue() {
    if (signingOut) return;
    try {
      if (queue.length) window.localStorage.setItem(queueKey, JSON.stringify(queue));
      else window.localStorage.removeItem(queueKey);
    } catch (error) {
      // Storage full or refused: the queue still lives in the page until it is sent.
    }
    showSync();
  }

  function showSync() {
    let message = "";
    if (offline) {
      if (!queue.length) message = t("Offline: answers are kept until the connection is back");
      else if (queue.length === 1) message = t("Offline, 1 answer waiting");
      else message = t("Offline, {n} answers waiting", { n: queue.length });
    }
    el.sync.hidden = !message;
    el.sync.textContent = message;
    root.dataset.queued = String(queue.length); // lets tests follow the queue
  }

  function setPhase(next) {
    phase = next;
    root.dataset.phase = next; // lets styles and tests follow the loop
  }

  // -- talking to the API ------------------------------------------------------------------

  class Offline extends Error {}

  async function api(method, path, body) {
    let response;
    try {
      response = await fetch(apiBase + path, {
        method,
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          ...(body ? { "Content-Type": "application/json" } : {}),
          ...(method !== "GET" ? { "X-CSRFToken": csrf } : {}),
        },
      body: body ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      throw new Offline(t("No connection"));
    }
    if (response.status === 401) {
      window.location.assign(root.dataset.login + "?next=" + encodeURIComponent(window.location.pathname));
      throw new Error("signed out");
    }
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch (error) {
        // A proxy's error page, or a reply cut short: as good as no connection.
        throw new Offline(t("No connection"));
      }
    }
    if (response.status >= 500 || response.status === 429) throw new Offline(data && data.error);
    if (!response.ok && response.status !== 409) {
      const failure = new Error((data && data.error) || response.statusText);
      failure.status = response.status;
      throw failure;
    }
    return { status: response.status, data };
  }

  function say(message) {
    el.status.textContent = message;
    if (message) window.setTimeout(() => { if (el.status.textContent === message) el.status.textContent = ""; }, 4000);
  }

  // -- showing a card ----------------------------------------------------------------------

  function formatInterval(seconds) {
    if (seconds < 60) return t("<1m");
    const minutes = seconds / 60;
    if (minutes < 60) return t("{n}m", { n: Math.round(minutes) });
    const hours = minutes / 60;
    if (hours < 24) return t("{n}h", { n: Math.round(hours) });
    const days = hours / 24;
    if (days < 30) return t("{n}d", { n: Math.round(days) });
    if (days < 365) return t("{n}mo", { n: (days / 30).toFixed(days < 300 ? 1 : 0).replace(/\.0$/, "") });
    return t("{n}y", { n: (days / 365).toFixed(1).replace(/\.0$/, "") });
  }

  function kindOf(shown) {
    return shown.state === "relearning" ? "learning" : shown.state;
  }

  function setCounts() {
    for (const kind of ["new", "learning", "review"]) {
      $(`[data-count="${kind}"]`).textContent = counts[kind];
    }
    const left = counts.new + counts.learning + counts.review;
    const total = answeredThisSession + left;
    const percent = total ? Math.round((100 * answeredThisSession) / total) : 100;
    el.progress.style.width = percent + "%";
    el.progressRole.setAttribute("aria-valuenow", String(percent));
  }

  function button(html, index, onClick) {
    const item = document.createElement("li");
    const control = document.createElement("button");
    control.type = "button";
    control.className = "option";
    control.dataset.index = String(index);
    const key = document.createElement("kbd");
    key.textContent = String(index + 1);
    const label = document.createElement("span");
    label.className = "option-text";
    label.innerHTML = html; // rendered and sanitised by the server
    control.append(key, label);
    control.addEventListener("click", onClick);
    item.append(control);
    return item;
  }

  function renderResponse() {
    el.response.replaceChildren();
    chosen = new Set();
    picked = [];
    if (card.type === "choice") {
      const list = document.createElement("ol");
      list.className = "options";
      card.choices.forEach((html, index) => list.append(button(html, index, () => choose(index))));
      el.response.append(list);
      if (card.check.multiple) {
        const hint = document.createElement("p");
        hint.className = "hint";
        hint.textContent = t("Choose every right answer, then press Enter.");
        el.response.append(hint);
      }
    } else if (card.type === "truefalse") {
      const list = document.createElement("ol");
      list.className = "options options-row";
      list.append(button(t("True"), 0, () => answerTrueFalse(true)));
      list.append(button(t("False"), 1, () => answerTrueFalse(false)));
      el.response.append(list);
    } else if (card.type === "order") {
      const hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = t("Pick the items in order (1–9); Backspace takes one back.");
      const list = document.createElement("ol");
      list.className = "options";
      card.items.forEach((item, position) => list.append(button(item.html, position, () => pick(position))));
      const sequence = document.createElement("ol");
      sequence.className = "picked";
      sequence.setAttribute("aria-label", t("Your order"));
      el.response.append(hint, list, sequence);
    } else if (card.type === "typing") {
      const form = document.createElement("form");
      form.className = "typing";
      const label = document.createElement("label");
      label.className = "visually-hidden";
      label.htmlFor = "typed-answer";
      label.textContent = t("Your answer");
      const input = document.createElement("input");
      input.id = "typed-answer";
      input.type = "text";
      input.autocomplete = "off";
      input.autocapitalize = "off";
      input.spellcheck = false;
      input.setAttribute("enterkeyhint", "done");
      input.placeholder = t("Type the answer, then Enter");
      form.append(label, input);
      form.addEventListener("submit", (event) => { event.preventDefault(); checkTyping(); });
      el.response.append(form);
    }
  }

  function show(next) {
    card = next;
    el.waiting.hidden = true;
    if (!card) {
      setPhase("done");
      el.card.hidden = true;
      el.show.hidden = true;
      el.grades.hidden = true;
      el.done.hidden = false;
      el.done.querySelector("a").focus();
      return;
    }
    if (!counts) counts = { ...card.counts };
    el.done.hidden = true;
    el.card.hidden = false;
    el.card.dataset.cardId = String(card.card_id);
    el.card.dataset.type = card.type;
    el.section.textContent = card.section || "";
    el.section.hidden = !card.section;
    el.state.textContent = t(card.state);
    el.state.className = "state-badge state-" + card.state;
    el.prompt.innerHTML = card.prompt_html; // rendered and sanitised by the server
    el.answer.innerHTML = card.answer_html;
    el.explanation.innerHTML = card.explanation_html;
    el.back.hidden = true;
    el.verdict.hidden = true;
    el.verdict.className = "verdict";
    renderResponse();
    for (const [rating, name] of Object.entries(RATINGS)) {
      $(`[data-ivl="${name}"]`).textContent = formatInterval(card.intervals[name]);
      $(`[data-rating="${rating}"]`).classList.remove("suggested");
    }
    el.edit.hidden = !card.edit;
    if (card.edit) {
      el.edit.href = card.edit.url;
      el.edit.title = t("Edit at {path}, line {line}", { path: card.edit.path, line: card.edit.line });
    }
    setCounts();
    correct = null;
    suggested = 3;
    setPhase("front");
    shownAt = performance.now();
    el.grades.hidden = true;
    el.show.hidden = card.type === "typing" || card.type === "truefalse" ||
      (card.type === "choice" && !card.check.multiple) || card.type === "order";
    el.showLabel.textContent = card.type === "choice" ? t("Check") : t("Show answer");
    const input = el.response.querySelector("input");
    if (input) input.focus({ preventScroll: true });
    else el.card.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  }

  function reveal() {
    setPhase("back");
    if (card.type === "cloze") {
      // The blanks fill in where they stand, as in Anki; the back holds the explanation.
      el.prompt.innerHTML = card.answer_html;
      el.answer.replaceChildren();
    }
    el.back.hidden = !el.answer.hasChildNodes() && !card.explanation_html && el.verdict.hidden;
    el.show.hidden = true;
    el.grades.hidden = false;
    $(`[data-rating="${suggested}"]`).classList.add("suggested");
    for (const control of el.response.querySelectorAll("button, input")) control.disabled = true;
    if (document.activeElement && document.activeElement.tagName === "INPUT") document.activeElement.blur();
    $(`[data-rating="${suggested}"]`).focus({ preventScroll: true });
  }

  function verdict(isRight, extra) {
    correct = isRight;
    suggested = isRight ? 3 : 1;
    el.verdict.hidden = false;
    el.verdict.classList.add(isRight ? "is-right" : "is-wrong");
    el.verdict.textContent = (isRight ? t("✓ Right") : t("✗ Not quite")) + (extra || "");
    reveal();
  }

  // -- answering in the page ---------------------------------------------------------------

  function mark(list, rightIndices) {
    list.querySelectorAll(".option").forEach((option) => {
      const index = Number(option.dataset.index);
      const isRight = rightIndices.includes(index);
      option.classList.add(isRight ? "is-right" : "is-wrong");
      const wrongChoice = !isRight && option.classList.contains("is-chosen");
      if (!isRight && !wrongChoice) return;
      // The mark shows right and wrong without colour; the hidden words say it to a reader.
      const note = document.createElement("span");
      note.className = "option-mark";
      note.setAttribute("aria-hidden", "true");
      note.textContent = isRight ? "✓" : "✗";
      const words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = isRight ? t("right answer") : t("your wrong choice");
      option.append(note, words);
    });
  }

  function choose(index) {
    if (phase !== "front" || card.type !== "choice" || index >= card.choices.length) return;
    const option = el.response.querySelector(`.option[data-index="${index}"]`);
    if (card.check.multiple) {
      if (chosen.has(index)) chosen.delete(index); else chosen.add(index);
      option.classList.toggle("is-chosen", chosen.has(index));
      option.setAttribute("aria-pressed", String(chosen.has(index)));
      return;
    }
    chosen = new Set([index]);
    option.classList.add("is-chosen");
    checkChoice();
  }

  function checkChoice() {
    const right = card.check.correct;
    const isRight = chosen.size === right.length && right.every((index) => chosen.has(index));
    mark(el.response.querySelector(".options"), right);
    verdict(isRight);
  }

  function answerTrueFalse(value) {
    if (phase !== "front" || card.type !== "truefalse") return;
    const index = value ? 0 : 1;
    const option = el.response.querySelector(`.option[data-index="${index}"]`);
    option.classList.add("is-chosen");
    mark(el.response.querySelector(".options"), [card.check.correct ? 0 : 1]);
    verdict(value === card.check.correct);
  }

  function renderPicked() {
    const sequence = el.response.querySelector(".picked");
    sequence.replaceChildren(...picked.map((position) => {
      const item = document.createElement("li");
      item.innerHTML = card.items[position].html;
      return item;
    }));
    el.response.querySelectorAll(".option").forEach((option) => {
      const at = picked.indexOf(Number(option.dataset.index));
      option.classList.toggle("is-chosen", at >= 0);
      option.disabled = at >= 0;
    });
  }

  function pick(position) {
    if (phase !== "front" || card.type !== "order" || position >= card.items.length) return;
    if (picked.includes(position)) return;
    picked.push(position);
    renderPicked();
    if (picked.length === card.items.length) {
      const isRight = picked.every((position_, rank) => card.items[position_].index === rank);
      verdict(isRight);
    }
  }

  function unpick() {
    if (phase !== "front" || card.type !== "order" || !picked.length) return;
    picked.pop();
    renderPicked();
  }

  function normalise(text) {
    return text.normalize("NFKC").replace(/\s+/g, " ").trim().toLowerCase();
  }

  function checkTyping() {
    if (phase !== "front") return;
    const input = el.response.querySelector("input");
    const typed = normalise(input.value);
    const isRight = typed !== "" && card.check.accept.some((option) => normalise(option) === typed);
    verdict(isRight, isRight ? "" : (typed ? t(" — you typed “{typed}”", { typed: input.value.trim() }) : ""));
  }

  // -- grading, undo, bury, suspend ------------------------------------------------------

  // Nothing in hand and the connection is down: say so, and wait for it.
  function wait() {
    card = null;
    setPhase("waiting");
    el.card.hidden = true;
    el.show.hidden = true;
    el.grades.hidden = true;
    el.done.hidden = true;
    el.waiting.hidden = false;
    if (counts) setCounts();
  }

  // The card in hand comes next; with none, the server's next card, or a wait for it.
  function showNext() {
    const next = hand.shift();
    if (next) {
      show(next);
    } else if (offline) {
      wait();
    } else if (queue.length) {
      setPhase("loading"); // the answer on its way brings the next card
    } else {
      load();
    }
  }

  // A fresh next card from the server, with those that follow it, once it knows every answer
  // sent so far. Leaves out the card on screen and the answers still queued (and their
  // siblings, which an answer buries).
  function refill(next) {
    const busy = new Set(queue.map((item) => `${item.bank}/${item.question}`));
    const onScreen = card && (phase === "front" || phase === "back") ? card : null;
    if (onScreen) busy.add(`${onScreen.bank}/${onScreen.question}`);
    counts = next ? { ...next.counts } : { new: 0, learning: 0, review: 0 };
    for (const item of queue) counts[item.kind] = Math.max(0, counts[item.kind] - 1);
    hand = (next ? [next, ...(next.ahead || [])] : []).filter((c) => !busy.has(`${c.bank}/${c.question}`));
    if (onScreen) setCounts();
    else if (hand.length) show(hand.shift());
    else show(null);
  }

  function goOffline() {
    offline = true;
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => { retryTimer = null; resume(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MOST_MS);
    showSync();
  }

  function goOnline() {
    offline = false;
    retryDelay = RETRY_FIRST_MS;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    showSync();
  }

  // Send the queued answers in order; the last one brings the next cards.
  function flush() {
    if (!flushing) flushing = sendQueue().finally(() => { flushing = null; });
    return flushing;
  }

  async function sendQueue() {
    while (queue.length) {
      const item = queue[0];
      const last = queue.length === 1;
      let result;
      try {
        result = await api("POST", `/review/${item.card_id}`, {
          ...item.body,
          ...(last ? { next: true, ahead: AHEAD, bank } : {}),
        });
      } catch (error) {
        if (error instanceof Offline) {
          goOffline();
          if (phase === "loading") wait();
          return;
        }
        // Refused for good (the card was retired, say): keeping it would block the rest.
        say(t("One answer could not be saved: {reason}", { reason: error.message }));
        queue.shift();
        saveQueue();
        continue;
      }
      queue.shift();
      saveQueue();
      goOnline();
      if (last && !queue.length) refill(result.data.next);
    }
    if (phase === "waiting" || phase === "loading") load();
  }

  // Back from a lost connection (or a retry's time has come): send what waits, or load.
  function resume() {
    if (queue.length) flush();
    else if (phase === "waiting" || phase === "loading") load();
  }

  async function grade(rating) {
    if (phase !== "back") return;
    setPhase("sending");
    const elapsed = Math.round(performance.now() - shownAt);
    if (practice) {
      seen.push(card.card_id);
      try {
        if (reschedule && reschedule.checked) {
          await api("POST", `/review/${card.card_id}`, {
            rating, review_token: card.review_token, elapsed_ms: elapsed,
            ...(correct === null ? {} : { correct }),
          });
        }
        answeredThisSession += 1;
        await load();
      } catch (error) {
        seen.pop();
        setPhase("back");
        say(t("Could not save that answer: {error}. Try again.", { error: error.message }));
      }
      return;
    }
    const kind = kindOf(card);
    queue.push({
      card_id: card.card_id,
      bank: card.bank,
      question: card.question,
      kind,
      body: {
        rating,
        review_token: card.review_token,
        elapsed_ms: elapsed,
        ...(correct === null ? {} : { correct }),
      },
    });
    saveQueue();
    answered.set(card.card_id, card);
    answeredThisSession += 1;
    counts[kind] = Math.max(0, counts[kind] - 1);
    showNext();
    flush();
  }

  async function load() {
    setPhase("loading");
    try {
      let path = `/review/next?bank=${encodeURIComponent(bank)}`;
      if (practice) path += `&practice=${encodeURIComponent(practice)}&exclude=${seen.join(",")}`;
      else path += `&ahead=${AHEAD}`;
      const { data } = await api("GET", path);
      goOnline();
      if (!practice) refill(data);
      else {
        if (data) counts = { ...data.counts };
        show(data);
      }
    } catch (error) {
      if (error instanceof Offline && !practice) { goOffline(); wait(); return; }
      say(t("Could not load the next card: {error}", { error: error.message }));
    }
  }

  async function undo() {
    if (phase === "sending" || phase === "loading") return;
    const unsent = queue.length - (flushing ? 1 : 0); // the first may be on its way
    const last = queue[queue.length - 1];
    if (unsent > 0 && answered.has(last.card_id)) {
      // Not sent yet: take it out of the queue, and nothing else is needed.
      queue.pop();
      saveQueue();
      if (card) hand.unshift(card);
      counts[last.kind] += 1;
      answeredThisSession = Math.max(0, answeredThisSession - 1);
      say(t("Undone: the card is back as it was."));
      show(answered.get(last.card_id));
      return;
    }
    if (flushing) await flushing; // the answer on its way lands first, then is taken back
    if (queue.length) { say(t("Undo needs the connection.")); return; }
    let result;
    try {
      result = await api("POST", "/review/undo");
    } catch (error) {
      say(error instanceof Offline ? t("Undo needs the connection.") : error.message);
      return;
    }
    if (result.status === 409) { say(t("Nothing to undo.")); return; }
    if (card && (phase === "front" || phase === "back")) hand.unshift(card);
    answeredThisSession = Math.max(0, answeredThisSession - 1);
    counts = { ...result.data.counts };
    say(t("Undone: the card is back as it was."));
    show(result.data);
  }

  async function cardAction(action, message) {
    if (!card || (phase !== "front" && phase !== "back")) return;
    try {
      await api("POST", `/cards/${card.card_id}/${action}`);
    } catch (error) {
      say(error instanceof Offline ? t("That needs the connection.") : error.message);
      return;
    }
    counts[kindOf(card)] = Math.max(0, counts[kindOf(card)] - 1);
    say(message);
    if (practice) await load();
    else showNext();
  }

  function toggleHelp(open) {
    const willOpen = open === undefined ? el.help.hidden : open;
    el.help.hidden = !willOpen;
    if (willOpen) el.help.querySelector("button").focus();
  }

  // -- wiring ------------------------------------------------------------------------------

  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action], [data-rating]");
    if (!target) return;
    if (target.dataset.rating) { grade(Number(target.dataset.rating)); return; }
    const action = target.dataset.action;
    if (action === "show") primary();
    else if (action === "undo") undo();
    else if (action === "bury") cardAction("bury", t("Buried until tomorrow."));
    else if (action === "suspend") cardAction("suspend", t("Suspended. Unsuspend it from the API or later from the bank."));
    else if (action === "help") toggleHelp();
  });

  function primary() {
    if (phase === "front") {
      if (card.type === "choice" && card.check.multiple) checkChoice();
      else if (card.type === "typing") checkTyping();
      else if (!AUTO.has(card.type)) reveal();
    } else if (phase === "back") {
      grade(suggested);
    }
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey && event.key !== "z") return;
    const typing = event.target instanceof HTMLInputElement;
    if (!el.help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); toggleHelp(false); }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !typing) {
      event.preventDefault();
      undo();
      return;
    }
    if (event.ctrlKey) return;
    if (typing) return; // the typing form handles its own Enter
    const key = event.key;
    if (key === " " || key === "Enter") {
      if (event.target instanceof HTMLButtonElement && event.target.closest(".grades")) return;
      event.preventDefault();
      primary();
    } else if (/^[1-9]$/.test(key)) {
      const number = Number(key);
      event.preventDefault();
      if (phase === "back" && number <= 4) grade(number);
      else if (phase === "front" && card.type === "choice") choose(number - 1);
      else if (phase === "front" && card.type === "truefalse" && number <= 2) answerTrueFalse(number === 1);
      else if (phase === "front" && card.type === "order") pick(number - 1);
    } else if (phase === "front" && card && card.type === "truefalse" && (key === "t" || key === "f")) {
      answerTrueFalse(key === "t");
    } else if (key === "Backspace") {
      event.preventDefault();
      unpick();
    } else if (key === "u" || key === "U") {
      undo();
    } else if (key === "b" || key === "B") {
      cardAction("bury", t("Buried until tomorrow."));
    } else if (key === "s" || key === "S") {
      cardAction("suspend", t("Suspended."));
    } else if (key === "?") {
      toggleHelp(true);
    }
  });

  el.help.addEventListener("click", (event) => { if (event.target === el.help) toggleHelp(false); });
  window.addEventListener("online", () => { goOnline(); resume(); });
  window.addEventListener("offline", () => { offline = true; showSync(); });
  el.card.tabIndex = -1;
  showSync();
  if (queue.length && !practice) {
    setPhase("loading");
    flush(); // answers left from an earlier visit go first; the last brings the next card
  } else {
    load();
  }
})();
