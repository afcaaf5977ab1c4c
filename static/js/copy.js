// A copy button beside a text to share (a quiz's link, a group's invite): the clipboard
// where the browser allows it, else the text is selected for the learner to copy.
import { t } from "./strings.js";

const SHOWN_MS = 4000;

async function copy(field) {
  const text = field.querySelector("[data-copy-text]");
  const done = field.querySelector("[data-copy-done]");
  let said;
  try {
    await navigator.clipboard.writeText(text.textContent.trim());
    said = t("Copied");
  } catch {
    // No clipboard (a page over plain HTTP, or refused): the selected text is one keystroke away.
    said = t("Selected: press Ctrl+C to copy");
  }
  window.getSelection().selectAllChildren(text);
  done.textContent = said;
  window.clearTimeout(field.copyTimer);
  field.copyTimer = window.setTimeout(() => { done.textContent = ""; }, SHOWN_MS);
}

for (const field of document.querySelectorAll("[data-copy]")) {
  if (field.dataset.copyWired) continue; // the module is included once per field
  field.dataset.copyWired = "1";
  field.querySelector("[data-copy-button]").addEventListener("click", () => copy(field));
}
