// A quiz, one question a screen, keyboard first. Answers stay in the page until Submit; the
// server scores them. ES modules, no build step; the option buttons are rendered by
// quiz/take.html in the markup widgets.js works on.
import { t } from "./strings.js";
import { isBlank } from "./check.js";
import { setPressed, showPicked, toggled } from "./widgets.js";

const TICK_MS = 250;

const choices = (section) => Array.from(section.querySelectorAll("[data-choice]"));
const items = (section) => Array.from(section.querySelectorAll("[data-item]"));

function start(root) {
  const form = root.querySelector("[data-quiz-form]");
  const screens = Array.from(root.querySelectorAll(".quiz-question"));
  const help = root.querySelector("[data-help]");
  const clock = root.querySelector("[data-clock]");
  const deadline = root.dataset.deadline ? new Date(root.dataset.deadline) : null;
  // One state object: the answers by position, the flagged positions, the screen shown.
  const state = { answers: {}, flags: new Set(), current: 0, submitting: false };
  const screen = () => screens[state.current];
  const answered = (position) => !isBlank(state.answers[position]);

  function refresh() {
    root.querySelector("[data-place]").textContent = String(state.current + 1);
    root.querySelector("[data-answered]").textContent = String(screens.filter((_, i) => answered(i)).length);
    root.querySelector("[data-flagged]").textContent = String(state.flags.size);
    screens.forEach((section, i) => { section.querySelector("[data-flag-mark]").hidden = !state.flags.has(i); });
  }

  function show(position) {
    state.current = Math.max(0, Math.min(screens.length - 1, position));
    screens.forEach((section, i) => { section.hidden = i !== state.current; });
    const input = screen().querySelector("[data-typed]");
    if (input) input.focus({ preventScroll: true });
    else if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    window.scrollTo({ top: 0 });
    refresh();
  }

  // Picking an option by its index (key 1–9, or a click), for each type of question.
  const CHOOSE = {
    choice(section, position, index) {
      if (index >= choices(section).length) return;
      const multiple = section.hasAttribute("data-multiple");
      state.answers[position] = multiple ? toggled(state.answers[position] || [], index) : [index];
      setPressed(choices(section), (button) => state.answers[position].includes(Number(button.dataset.choice)));
    },
    truefalse(section, position, index) {
      if (index > 1) return;
      state.answers[position] = index === 0;
      setPressed(choices(section), (button) => (button.dataset.choice === "true") === state.answers[position]);
    },
    order(section, position, index) {
      const buttons = items(section);
      if (index >= buttons.length) return;
      const picked = state.answers[position] || [];
      const item = Number(buttons[index].dataset.item);
      if (picked.includes(item)) return;
      state.answers[position] = [...picked, item];
      showOrder(section);
    },
  };
  // A card graded by the learner: known (1) or not (2), once its answer shows.
  CHOOSE.basic = (section, position, index) => {
    if (!section.querySelector("[data-self-answer]").hidden) CHOOSE.truefalse(section, position, index);
  };
  CHOOSE.reverse = CHOOSE.basic;

  function choose(section, index) {
    const rule = CHOOSE[section.dataset.type];
    if (!rule) return;
    rule(section, screens.indexOf(section), index);
    refresh();
  }

  function showOrder(section) {
    const buttons = items(section);
    const picked = (state.answers[screens.indexOf(section)] || [])
      .map((item) => buttons.findIndex((button) => Number(button.dataset.item) === item));
    showPicked(section.querySelector("[data-picked]"), buttons, picked);
  }

  function unpick(section) {
    const position = screens.indexOf(section);
    if (section.dataset.type !== "order" || !(state.answers[position] || []).length) return;
    state.answers[position] = state.answers[position].slice(0, -1);
    showOrder(section);
    refresh();
  }

  function reveal(section) {
    const answer = section.querySelector("[data-self-answer]");
    if (!answer) return;
    answer.hidden = false;
    section.querySelector("[data-reveal]").hidden = true;
  }

  function toggleFlag() {
    if (state.flags.has(state.current)) state.flags.delete(state.current);
    else state.flags.add(state.current);
    refresh();
  }

  function submit(ask) {
    if (state.submitting) return;
    const blank = screens.filter((_, i) => !answered(i)).length;
    const question = blank === 1 ? "{n} question is blank. Submit anyway?" : "{n} questions are blank. Submit anyway?";
    if (ask && blank && !window.confirm(t(question, { n: blank }))) return;
    state.submitting = true;
    form.querySelector("[data-answers]").value = JSON.stringify(state.answers);
    form.querySelector("[data-flags]").value = JSON.stringify(Array.from(state.flags));
    form.submit();
  }

  function tick() {
    if (!deadline) return;
    const left = Math.max(0, Math.round((deadline - new Date()) / 1000));
    const minutes = Math.floor(left / 60);
    clock.textContent = t("{time} left", { time: `${minutes}:${String(left % 60).padStart(2, "0")}` });
    clock.classList.toggle("is-short", left <= 60);
    if (left === 0) {
      clock.textContent = t("Time is up");
      submit(false);
      return;
    }
    window.setTimeout(tick, TICK_MS);
  }

  const quiz = { state, screens, help, screen, refresh, show, choose, unpick, reveal, toggleFlag, submit };
  wire(root, form, quiz);
  show(0);
  tick();
}

function wireScreen(section, quiz) {
  choices(section).forEach((button) => {
    button.addEventListener("click", () => {
      const value = button.dataset.choice;
      quiz.choose(section, value === "true" ? 0 : value === "false" ? 1 : Number(value));
    });
  });
  section.querySelectorAll("[data-item]").forEach((button, index) => {
    button.addEventListener("click", () => quiz.choose(section, index));
  });
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

function wire(root, form, quiz) {
  quiz.screens.forEach((section) => wireScreen(section, quiz));
  const actions = {
    previous: () => quiz.show(quiz.state.current - 1),
    next: () => quiz.show(quiz.state.current + 1),
    flag: () => quiz.toggleFlag(),
    help: () => { quiz.help.hidden = !quiz.help.hidden; },
    submit: () => quiz.submit(true),
  };
  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target || !actions[target.dataset.action]) return;
    if (target.dataset.action === "submit") event.preventDefault();
    actions[target.dataset.action]();
  });
  document.addEventListener("keydown", keyHandler(quiz));
  form.addEventListener("submit", (event) => {
    if (!quiz.state.submitting) { event.preventDefault(); quiz.submit(true); }
  });
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
    ArrowDown: move(1, "typing"),
    ArrowUp: move(-1, "typing"),
    ArrowRight: move(1),
    ArrowLeft: move(-1),
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

function applies(binding, event, section) {
  const typing = event.target instanceof HTMLInputElement;
  const where = binding.where || "buttons";
  if (where !== "both" && (where === "typing") !== typing) return false;
  if (event.key === "Enter" && event.target instanceof HTMLButtonElement) return false; // its own click
  return !binding.when || Boolean(binding.when(section));
}

function keyHandler(quiz) {
  const table = keyTable(quiz);
  return (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!quiz.help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); quiz.help.hidden = true; }
      return;
    }
    const binding = table[event.key];
    const section = quiz.screen();
    if (!binding || !applies(binding, event, section)) return;
    if (binding.prevent) event.preventDefault();
    binding.run(section);
  };
}

const root = document.querySelector("[data-quiz]");
if (root) start(root);
