// A quiz, one question a screen, keyboard first. Answers stay in the page until Submit;
// the server scores them. No framework and no build step.
(() => {
  "use strict";

  const root = document.querySelector("[data-quiz]");
  if (!root) return;
  const STRINGS = JSON.parse(document.getElementById("strings")?.textContent || "{}");
  const t = (text, values = {}) => (STRINGS[text] ?? text).replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

  const form = root.querySelector("[data-quiz-form]");
  const screens = Array.from(root.querySelectorAll(".quiz-question"));
  const help = root.querySelector("[data-help]");
  const clock = root.querySelector("[data-clock]");
  const deadline = root.dataset.deadline ? new Date(root.dataset.deadline) : null;
  const answers = {};
  const flags = new Set();
  let current = 0;
  let submitting = false;

  const screen = () => screens[current];
  const typeOf = (section) => section.dataset.type;

  function answered(position) {
    const value = answers[position];
    return value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0);
  }

  function refresh() {
    root.querySelector("[data-place]").textContent = String(current + 1);
    root.querySelector("[data-answered]").textContent = String(screens.filter((_, i) => answered(i)).length);
    root.querySelector("[data-flagged]").textContent = String(flags.size);
    screens.forEach((section, i) => {
      section.querySelector("[data-flag-mark]").hidden = !flags.has(i);
    });
  }

  function show(position) {
    current = Math.max(0, Math.min(screens.length - 1, position));
    screens.forEach((section, i) => { section.hidden = i !== current; });
    const input = screen().querySelector("[data-typed]");
    if (input) input.focus({ preventScroll: true });
    else document.activeElement && document.activeElement.blur && document.activeElement.blur();
    window.scrollTo({ top: 0 });
    refresh();
  }

  function press(section, selector, on) {
    section.querySelectorAll(selector).forEach((button) => {
      const pressed = on(button);
      button.classList.toggle("is-chosen", pressed);
      button.setAttribute("aria-pressed", String(pressed));
    });
  }

  function choose(section, index) {
    const position = screens.indexOf(section);
    const type = typeOf(section);
    if (type === "choice") {
      const count = section.querySelectorAll("[data-choice]").length;
      if (index >= count) return;
      if (section.hasAttribute("data-multiple")) {
        const chosen = new Set(answers[position] || []);
        if (chosen.has(index)) chosen.delete(index); else chosen.add(index);
        answers[position] = Array.from(chosen).sort((a, b) => a - b);
      } else {
        answers[position] = [index];
      }
      press(section, "[data-choice]", (b) => (answers[position] || []).includes(Number(b.dataset.choice)));
    } else if (type === "truefalse" || type === "basic" || type === "reverse") {
      if (index > 1) return;
      if ((type === "basic" || type === "reverse") && section.querySelector("[data-self-answer]").hidden) return;
      answers[position] = index === 0;
      press(section, "[data-choice]", (b) => (b.dataset.choice === "true") === answers[position]);
    } else if (type === "order") {
      const buttons = Array.from(section.querySelectorAll("[data-item]"));
      if (index >= buttons.length) return;
      const picked = answers[position] || [];
      const item = Number(buttons[index].dataset.item);
      if (picked.includes(item)) return;
      answers[position] = [...picked, item];
      renderOrder(section);
    }
    refresh();
  }

  function renderOrder(section) {
    const position = screens.indexOf(section);
    const picked = answers[position] || [];
    const list = section.querySelector("[data-picked]");
    list.replaceChildren(...picked.map((item) => {
      const entry = document.createElement("li");
      entry.innerHTML = section.querySelector(`[data-item="${item}"] .option-text`).innerHTML;
      return entry;
    }));
    section.querySelectorAll("[data-item]").forEach((button) => {
      const taken = picked.includes(Number(button.dataset.item));
      button.classList.toggle("is-chosen", taken);
      button.disabled = taken;
    });
  }

  function unpick(section) {
    const position = screens.indexOf(section);
    if (typeOf(section) !== "order" || !(answers[position] || []).length) return;
    answers[position] = answers[position].slice(0, -1);
    renderOrder(section);
    refresh();
  }

  function reveal(section) {
    const answer = section.querySelector("[data-self-answer]");
    if (!answer) return;
    answer.hidden = false;
    section.querySelector("[data-reveal]").hidden = true;
  }

  function toggleFlag() {
    if (flags.has(current)) flags.delete(current); else flags.add(current);
    refresh();
  }

  function submit(ask) {
    if (submitting) return;
    const blank = screens.filter((_, i) => !answered(i)).length;
    const question = blank === 1 ? "{n} question is blank. Submit anyway?" : "{n} questions are blank. Submit anyway?";
    if (ask && blank && !window.confirm(t(question, { n: blank }))) return;
    submitting = true;
    form.querySelector("[data-answers]").value = JSON.stringify(answers);
    form.querySelector("[data-flags]").value = JSON.stringify(Array.from(flags));
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
    window.setTimeout(tick, 250);
  }

  // -- wiring ----------------------------------------------------------------------------

  screens.forEach((section) => {
    section.querySelectorAll("[data-choice]").forEach((button) => {
      button.addEventListener("click", () => {
        const value = button.dataset.choice;
        choose(section, value === "true" ? 0 : value === "false" ? 1 : Number(value));
      });
    });
    section.querySelectorAll("[data-item]").forEach((button, index) => {
      button.addEventListener("click", () => choose(section, index));
    });
    const input = section.querySelector("[data-typed]");
    if (input) {
      input.addEventListener("input", () => { answers[screens.indexOf(section)] = input.value; refresh(); });
    }
    const revealButton = section.querySelector("[data-reveal]");
    if (revealButton) revealButton.addEventListener("click", () => reveal(section));
  });

  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target) return;
    const action = target.dataset.action;
    if (action === "previous") show(current - 1);
    else if (action === "next") show(current + 1);
    else if (action === "flag") toggleFlag();
    else if (action === "help") help.hidden = !help.hidden;
    else if (action === "submit") { event.preventDefault(); submit(true); }
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); help.hidden = true; }
      return;
    }
    const section = screen();
    const typing = event.target instanceof HTMLInputElement;
    const key = event.key;
    if (key === "Enter") {
      if (event.target instanceof HTMLButtonElement && !typing) return;
      event.preventDefault();
      if (current === screens.length - 1) submit(true); else show(current + 1);
      return;
    }
    if (typing) {
      if (key === "ArrowDown") { event.preventDefault(); show(current + 1); }
      if (key === "ArrowUp") { event.preventDefault(); show(current - 1); }
      return;
    }
    if (key === "ArrowRight") { event.preventDefault(); show(current + 1); }
    else if (key === "ArrowLeft") { event.preventDefault(); show(current - 1); }
    else if (/^[1-9]$/.test(key)) { event.preventDefault(); choose(section, Number(key) - 1); }
    else if (key === " " && section.querySelector("[data-reveal]")) { event.preventDefault(); reveal(section); }
    else if ((key === "y" || key === "n") && section.querySelector("[data-self-answer]")) choose(section, key === "y" ? 0 : 1);
    else if (key === "f" || key === "F") toggleFlag();
    else if (key === "Backspace") { event.preventDefault(); unpick(section); }
    else if (key === "?") help.hidden = false;
  });

  form.addEventListener("submit", (event) => {
    if (!submitting) { event.preventDefault(); submit(true); }
  });

  show(0);
  tick();
})();
