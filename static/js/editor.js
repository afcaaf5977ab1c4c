// The question editor (templates/banks/editor.html): as one types, the draft is posted to
// the check URL the page names, and its preview, problems and lint warnings come back and
// are shown beside their fields; diagrams are inserted from the bank's own.
import { t, tn } from "./strings.js";

const WAIT = 300; // ms of quiet typing before a check
const root = document.querySelector("[data-editor]");
const form = root?.querySelector("#editor-form");
// sent: the number of the latest check; shown: the draft (as posted) the page now shows;
// request: the check in flight, aborted when a newer draft is sent.
const state = { timer: 0, sent: 0, shown: null, request: null, lastText: null };

function item(problem) {
  const li = document.createElement("li");
  li.className = problem.rule ? "warning" : "error";
  const text = document.createElement("span");
  if (problem.lang) text.lang = problem.lang;
  text.textContent = problem.message;
  li.append(text);
  if (problem.rule) {
    const rule = document.createElement("code");
    rule.textContent = ` [${problem.rule}]`;
    li.append(" ", rule);
  }
  return li;
}

function clearMarks() {
  for (const list of form.querySelectorAll("[data-problems-for]")) list.replaceChildren();
  for (const field of form.querySelectorAll("[data-field]")) {
    field.classList.remove("has-error");
    field.querySelector("input, textarea, select")?.removeAttribute("aria-invalid");
  }
}

function mark(problem) {
  const list = problem.key && form.querySelector(`[data-problems-for="${CSS.escape(problem.key)}"]`);
  if (!list) return false;
  list.append(item(problem));
  if (!problem.rule) {
    const field = list.closest("[data-field]");
    field.classList.add("has-error");
    field.querySelector("input, textarea, select")?.setAttribute("aria-invalid", "true");
  }
  return true;
}

function show(result) {
  clearMarks();
  const general = root.querySelector("[data-general]");
  general.replaceChildren();
  for (const problem of [...result.problems, ...result.warnings]) {
    if (!mark(problem)) general.append(item(problem));
  }
  const status = root.querySelector("[data-status]");
  const problems = result.problems.length;
  const warnings = result.warnings.length;
  if (problems) {
    status.textContent = tn("{n} problem: it cannot be saved like this.", "{n} problems: it cannot be saved like this.", problems);
  } else if (warnings) {
    status.textContent = tn("No problems; {n} lint warning.", "No problems; {n} lint warnings.", warnings);
  }
  else status.textContent = t("No problems, no lint warnings.");
  const preview = root.querySelector("[data-preview]");
  preview.classList.toggle("stale", !result.preview);
  // The server's own rendering (the question types' macros, sanitised Markdown).
  if (result.preview) preview.innerHTML = result.preview;
}

function draft() {
  return new URLSearchParams(new FormData(form)).toString();
}

// Each check posts the form as it is now; an older check still in flight is aborted, and a
// response is shown only if no newer check was sent since. Once shown, a draft that changed
// meanwhile (an input event that came while the request was out) is checked again, so the
// page always ends on the latest text.
async function check() {
  clearTimeout(state.timer);
  const sent = ++state.sent;
  state.request?.abort();
  const request = new AbortController();
  state.request = request;
  const body = new FormData(form);
  const posted = draft();
  try {
    const response = await fetch(root.dataset.checkUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      signal: request.signal,
      headers: { Accept: "application/json", "X-CSRFToken": body.get("csrf_token") },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const result = await response.json();
    if (sent !== state.sent) return;
    state.request = null;
    state.shown = posted;
    show(result);
    if (draft() !== posted) soon();
  } catch (error) {
    if (sent !== state.sent || error.name === "AbortError") return;
    state.request = null;
    root.querySelector("[data-status]").textContent = t("Could not check: {error}", { error: error.message });
  }
}

function soon() {
  clearTimeout(state.timer);
  root.querySelector("[data-status]").textContent = t("Checking…");
  root.querySelector("[data-preview]").classList.add("stale");
  state.timer = setTimeout(check, WAIT);
}

function insertDiagram() {
  const path = root.querySelector("[data-picker]").value;
  const target = state.lastText || form.querySelector("textarea[name=explanation]");
  if (!path || !target) return;
  const name = path.split("/").pop().replace(/\.[^.]+$/, "");
  const start = target.selectionStart ?? target.value.length;
  const end = target.selectionEnd ?? start;
  const before = target.value.slice(0, start);
  const gap = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
  target.setRangeText(`${gap}![${name}](${path})\n`, start, end, "end");
  target.focus();
  target.dispatchEvent(new Event("input", { bubbles: true }));
}

if (form) {
  state.shown = draft(); // the page came with this draft's checks and preview
  // Leaving with changes not saved (a link, Cancel, a closed tab) asks first.
  const opened = state.shown;
  let saving = false;
  form.addEventListener("submit", () => { saving = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!saving && draft() !== opened) event.preventDefault();
  });
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("focusin", (event) => {
    if (event.target.matches("textarea[data-markdown]")) state.lastText = event.target;
  });
  root.querySelector("[data-insert]")?.addEventListener("click", insertDiagram);
  // A new question: the file it will be written into follows the section chosen.
  const section = form.querySelector("select[data-files]");
  section?.addEventListener("change", () => {
    const files = JSON.parse(section.dataset.files);
    const file = root.querySelector("#f-section-file [data-file]");
    if (file) file.textContent = files[section.value] ?? files[""];
  });
  for (const chooser of root.querySelectorAll("form[data-autosubmit]")) {
    chooser.addEventListener("change", () => chooser.requestSubmit());
  }
}
