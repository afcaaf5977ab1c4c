// A page of several forms (Settings): saving one sends only its own fields, so a change typed
// into another would be lost without a word. Before the page is left, by a link or by
// another form's Save, the browser asks whether to leave changes that are not saved.
const forms = Array.from(document.querySelectorAll("form[data-unsaved]"));
const state = (form) => new URLSearchParams(new FormData(form)).toString();
const saved = new Map(forms.map((form) => [form, state(form)]));
let sending = null; // the form being saved: its own changes go with it

for (const form of forms) form.addEventListener("submit", () => { sending = form; });

window.addEventListener("beforeunload", (event) => {
  const changed = forms.some((form) => form !== sending && state(form) !== saved.get(form));
  sending = null; // if the learner stays, the next leave is judged afresh
  if (changed) event.preventDefault();
});
