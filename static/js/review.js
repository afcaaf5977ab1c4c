// The review loop: one card at a time from /api/v1, answered by keyboard or touch.
// No framework and no build step; the page works from the markup in review/review.html.
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
  };

  const RATINGS = { 1: "again", 2: "hard", 3: "good", 4: "easy" };
  const AUTO = new Set(["choice", "truefalse", "order", "typing"]);

  let card = null;
  let phase = "loading"; // loading | front | back | sending | done
  let shownAt = 0;
  let suggested = 3;
  let correct = null;
  let chosen = new Set();
  let picked = [];
  let answeredThisSession = 0;

  function setPhase(next) {
    phase = next;
    root.dataset.phase = next; // lets styles and tests follow the loop
  }

  // -- talking to the API ------------------------------------------------------------------

  async function api(method, path, body) {
    const response = await fetch(apiBase + path, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        ...(body ? { "Content-Type": "application/json" } : {}),
        ...(method !== "GET" ? { "X-CSRFToken": csrf } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
      throw new Error("signed out");
    }
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok && response.status !== 409) {
      throw new Error((data && data.error) || response.statusText);
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

  function setCounts(counts) {
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
    if (!card) {
      setPhase("done");
      el.card.hidden = true;
      el.show.hidden = true;
      el.grades.hidden = true;
      el.done.hidden = false;
      el.done.querySelector("a").focus();
      return;
    }
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
    setCounts(card.counts);
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
      const note = document.createElement("span");
      note.className = "option-mark";
      note.textContent = isRight ? "✓" : (option.classList.contains("is-chosen") ? "✗" : "");
      note.setAttribute("aria-label", isRight ? t("right answer") : (option.classList.contains("is-chosen") ? t("your wrong choice") : ""));
      option.append(note);
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
    try {
      const { data } = await api("POST", `/review/${card.card_id}`, {
        rating,
        review_token: card.review_token,
        elapsed_ms: elapsed,
        ...(correct === null ? {} : { correct }),
        next: true,
        bank,
      });
      answeredThisSession += 1;
      show(data.next);
    } catch (error) {
      setPhase("back");
      say(t("Could not save that answer: {error}. Try again.", { error: error.message }));
    }
  }

  async function load() {
    setPhase("loading");
    try {
      let path = `/review/next?bank=${encodeURIComponent(bank)}`;
      if (practice) path += `&practice=${encodeURIComponent(practice)}&exclude=${seen.join(",")}`;
      const { data } = await api("GET", path);
      show(data);
    } catch (error) {
      say(t("Could not load the next card: {error}", { error: error.message }));
    }
  }

  async function undo() {
    if (phase === "sending" || phase === "loading") return;
    const { status, data } = await api("POST", "/review/undo");
    if (status === 409) { say(t("Nothing to undo.")); return; }
    answeredThisSession = Math.max(0, answeredThisSession - 1);
    say(t("Undone: the card is back as it was."));
    show(data);
  }

  async function cardAction(action, message) {
    if (!card || (phase !== "front" && phase !== "back")) return;
    const cardId = card.card_id;
    await api("POST", `/cards/${cardId}/${action}`);
    say(message);
    await load();
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
  el.card.tabIndex = -1;
  load();
})();
