// A quiz, one question a screen, keyboard first. Answers stay in the page until Submit; the
// server scores them. Until then they are kept in the browser too (localStorage, by the
// quiz's address), so that a quiz left for another page or app is found as it was left.
// ES modules, no build step; the option buttons are rendered by quiz/take.html in the
// markup widgets.js works on.
import { t } from "./strings.js";
import { isBlank } from "./check.js";
import { choiceButtons as choices, itemButtons as items } from "./widgets.js";
import { widgetFor } from "./types/index.js";
import { ask } from "./confirm.js";

const TICK_MS = 250;
const KEPT = "wengu.quiz";

/** The quiz on the page: its parts, and one state object (answers, flags, screen shown). */
class Quiz {
  constructor(root) {
    this.root = root;
    this.form = root.querySelector("[data-quiz-form]");
    this.screens = Array.from(root.querySelectorAll(".quiz-question"));
    this.help = root.querySelector("[data-help]");
    this.clock = root.querySelector("[data-clock]");
    this.deadline = root.dataset.deadline ? new Date(root.dataset.deadline) : null;
    this.confirm = root.querySelector("[data-confirm-dialog]");
    this.state = { answers: {}, flags: new Set(), current: 0, submitting: false };
    this.key = `${KEPT}.${window.location.pathname}`;
  }

  /** Keep the answers, flags and the question shown, for this quiz's page opened again. */
  keep() {
    const { answers, flags, current } = this.state;
    const kept = { screens: this.screens.length, answers, flags: Array.from(flags), current };
    try { window.localStorage.setItem(this.key, JSON.stringify(kept)); } catch { /* full or off */ }
  }

  /** The answers kept for this quiz, given again as they were first given; the question
   * to show: the one left on, or the first. */
  restore() {
    let kept = null;
    try { kept = JSON.parse(window.localStorage.getItem(this.key) || "null"); } catch { kept = null; }
    if (!kept || kept.screens !== this.screens.length) return 0;
    for (const [key, value] of Object.entries(kept.answers || {})) {
      const position = Number(key);
      const section = this.screens[position];
      if (section) this.give(section, position, value);
    }
    for (const position of kept.flags || []) if (this.screens[position]) this.state.flags.add(position);
    return Number.isInteger(kept.current) ? kept.current : 0;
  }

  give(section, position, value) {
    const input = section.querySelector("[data-typed]");
    if (input) {
      if (typeof value === "string") { input.value = value; this.state.answers[position] = value; }
      return;
    }
    const widget = widgetFor(section.dataset.type);
    if (!widget.choose) return;
    if (typeof value === "boolean") { // true or false, or a self-graded "I knew it" (y) or not
      if (section.querySelector("[data-reveal]")) this.reveal(section);
      widget.choose(this, section, position, value ? 0 : 1);
    } else if (Array.isArray(value) && widget.restoreQuiz) {
      widget.restoreQuiz(this, section, position, value);
    } else if (Array.isArray(value)) { // options, by their place on screen
      for (const place of value) if (Number.isInteger(place) && place >= 0) widget.choose(this, section, position, place);
    }
  }

  screen() { return this.screens[this.state.current]; }

  /** Whether a question has an answer, and a whole one where its type tells (an order with
   * every item picked). */
  answered(position) {
    const [section, answer] = [this.screens[position], this.state.answers[position]];
    return !isBlank(answer) && !widgetFor(section.dataset.type).unfinishedQuiz?.(section, answer);
  }

  /** The questions not answered: blank, or not finished. */
  blank() { return this.screens.filter((_, i) => !this.answered(i)).length; }

  unfinished() { return this.screens.filter((_, i) => !this.answered(i) && !isBlank(this.state.answers[i])).length; }

  refresh() {
    const { current, flags } = this.state;
    this.root.querySelector("[data-place]").textContent = String(current + 1);
    this.root.querySelector("[data-answered]").textContent = String(this.screens.length - this.blank());
    this.root.querySelector("[data-flagged]").textContent = String(flags.size);
    this.screens.forEach((section, i) => { section.querySelector("[data-flag-mark]").hidden = !flags.has(i); });
    // Next is the main way on until the last question; only there is Submit the filled button.
    const last = current === this.screens.length - 1;
    this.root.querySelector('[data-action="previous"]').disabled = current === 0;
    this.root.querySelector('[data-action="next"]').classList.toggle("primary", !last);
    this.root.querySelector('[data-action="submit"]').classList.toggle("primary", last);
    if (!this.state.submitting) this.keep();
  }

  show(position) {
    this.state.current = Math.max(0, Math.min(this.screens.length - 1, position));
    this.screens.forEach((section, i) => { section.hidden = i !== this.state.current; });
    const input = this.screen().querySelector("[data-typed]");
    if (input) input.focus({ preventScroll: true });
    else if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    window.scrollTo({ top: 0 });
    widgetFor(this.screen().dataset.type).frontQuiz?.(this, this.screen());
    this.refresh();
  }

  /** Pick an option of section by its index (key 1–9, or a click: `byTap`). */
  choose(section, index, byTap = false) {
    const widget = widgetFor(section.dataset.type);
    if (!widget.choose) return;
    widget.choose(this, section, this.screens.indexOf(section), index, byTap);
    this.refresh();
  }

  /** Take back the last pick (Backspace), where the question's type picks in turn. */
  unpick(section) {
    const widget = widgetFor(section.dataset.type);
    if (!widget.unpickQuiz) return;
    widget.unpickQuiz(this, section, this.screens.indexOf(section));
    this.refresh();
  }

  /** Take back every pick, where the question's type picks in turn. */
  clear(section) {
    widgetFor(section.dataset.type).clearQuiz?.(this, section, this.screens.indexOf(section));
    this.refresh();
  }

  reveal(section) {
    const answer = section.querySelector("[data-self-answer]");
    if (!answer) return;
    answer.hidden = false;
    section.querySelector("[data-reveal]").hidden = true;
    // Below a tall diagram the answer would open out of sight: bring its top into view.
    if (answer.getBoundingClientRect().top > innerHeight / 2) answer.scrollIntoView({ block: "start" });
  }

  toggleFlag() {
    const { flags, current } = this.state;
    if (flags.has(current)) flags.delete(current); else flags.add(current);
    this.refresh();
  }

  async submit(asking) {
    if (this.state.submitting || this.confirm.open) return;
    const blank = this.blank();
    const question = this.unfinished()
      ? (blank === 1 ? "{n} question is blank or not finished. Submit anyway?" : "{n} questions are blank or not finished. Submit anyway?")
      : (blank === 1 ? "{n} question is blank. Submit anyway?" : "{n} questions are blank. Submit anyway?");
    if (asking && blank && !(await ask(this.confirm, t(question, { n: blank })))) return;
    this.state.submitting = true;
    try { window.localStorage.removeItem(this.key); } catch { /* storage off: nothing kept */ }
    this.form.querySelector("[data-answers]").value = JSON.stringify(this.state.answers);
    this.form.querySelector("[data-flags]").value = JSON.stringify(Array.from(this.state.flags));
    this.form.submit();
  }

  tick() {
    if (!this.deadline) return;
    const left = Math.max(0, Math.round((this.deadline - new Date()) / 1000));
    const minutes = Math.floor(left / 60);
    this.clock.textContent = t("{time} left", { time: `${minutes}:${String(left % 60).padStart(2, "0")}` });
    this.clock.classList.toggle("is-short", left <= 60);
    if (left === 0) {
      this.clock.textContent = t("Time is up");
      this.submit(false);
      return;
    }
    window.setTimeout(() => this.tick(), TICK_MS);
  }
}

// Each key: what it does on the question shown, whether the browser's own use of it is
// stopped, and where it works: on the buttons (the default), in the typed answer, or both.
function keyTable(quiz) {
  const move = (step, where) => ({ run: () => quiz.show(quiz.state.current + step), prevent: true, where });
  const selfGraded = (value) => ({
    run: (section) => { if (section.querySelector("[data-self-answer]")) quiz.choose(section, value); },
  });
  const last = () => quiz.state.current === quiz.screens.length - 1;
  const table = {
    Enter: { run: () => (last() ? quiz.submit(true) : quiz.show(quiz.state.current + 1)), prevent: true, where: "both" },
    ArrowDown: move(1, "input"),
    ArrowUp: move(-1, "input"),
    // In a typed answer, only from the end (or the start) of the text: the caret moves first.
    ArrowRight: { ...move(1, "both"), edge: "end" },
    ArrowLeft: { ...move(-1, "both"), edge: "start" },
    " ": { run: (section) => quiz.reveal(section), prevent: true, when: (section) => section.querySelector("[data-reveal]") },
    y: selfGraded(0),
    n: selfGraded(1),
    f: { run: () => quiz.toggleFlag() },
    Backspace: { run: (section) => quiz.unpick(section), prevent: true },
    "?": { run: () => { quiz.help.hidden = false; } },
  };
  table.F = table.f;
  for (let number = 1; number <= 9; number += 1) {
    table[String(number)] = { run: (section) => quiz.choose(section, number - 1), prevent: true };
  }
  return table;
}

// Whether the caret stands at edge ("start" or "end") of input's text, nothing selected.
function atEdge(input, edge) {
  const { selectionStart: from, selectionEnd: to, value } = input;
  if (from === null || from !== to) return false;
  return edge === "start" ? from === 0 : to === value.length;
}

function applies(binding, event, section) {
  const typing = event.target instanceof HTMLInputElement;
  const where = binding.where || "buttons";
  if (where !== "both" && (where === "input") !== typing) return false;
  if (typing && binding.edge && (event.shiftKey || !atEdge(event.target, binding.edge))) return false;
  if (event.key === "Enter" && event.target instanceof HTMLButtonElement) return false; // its own click
  return !binding.when || Boolean(binding.when(section));
}

function keyHandler(quiz) {
  const table = keyTable(quiz);
  return (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (quiz.confirm.open) return; // the dialog has the keys
    if (!quiz.help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); quiz.help.hidden = true; }
      return;
    }
    if (event.key === "Escape" && event.target instanceof HTMLInputElement && !event.isComposing) {
      // Esc leaves a typed answer's box: the keys are the quiz's shortcuts again.
      event.preventDefault();
      event.target.blur();
      return;
    }
    const binding = table[event.key];
    const section = quiz.screen();
    if (!binding || !applies(binding, event, section)) return;
    if (binding.prevent) event.preventDefault();
    binding.run(section);
  };
}

function wireScreen(quiz, section) {
  // By place on screen, as the keys choose: a choice's options stand in the quiz's order.
  choices(section).forEach((button, index) => button.addEventListener("click", () => quiz.choose(section, index)));
  items(section).forEach((button, index) => button.addEventListener("click", () => quiz.choose(section, index, true)));
  const input = section.querySelector("[data-typed]");
  if (input) {
    input.addEventListener("input", () => {
      quiz.state.answers[quiz.screens.indexOf(section)] = input.value;
      quiz.refresh();
    });
  }
  const revealButton = section.querySelector("[data-reveal]");
  if (revealButton) revealButton.addEventListener("click", () => quiz.reveal(section));
}

function wire(quiz) {
  quiz.screens.forEach((section) => wireScreen(quiz, section));
  const actions = {
    previous: () => quiz.show(quiz.state.current - 1),
    next: () => quiz.show(quiz.state.current + 1),
    flag: () => quiz.toggleFlag(),
    unpick: () => quiz.unpick(quiz.screen()),
    clear: () => quiz.clear(quiz.screen()),
    help: () => { quiz.help.hidden = !quiz.help.hidden; },
    submit: () => quiz.submit(true),
  };
  quiz.root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target || !actions[target.dataset.action]) return;
    if (target.dataset.action === "submit") event.preventDefault();
    actions[target.dataset.action]();
  });
  document.addEventListener("keydown", keyHandler(quiz));
  quiz.form.addEventListener("submit", (event) => {
    if (!quiz.state.submitting) { event.preventDefault(); quiz.submit(true); }
  });
}

const root = document.querySelector("[data-quiz]");
if (root) {
  const quiz = new Quiz(root);
  wire(quiz);
  quiz.show(quiz.restore());
  quiz.tick();
}
