// The interface's texts in the page's language. base.html renders them as a JSON data block
// (views/strings.py lists them, so that extraction finds them); a text missing there shows
// in English.
const block = document.getElementById("strings");
const STRINGS = JSON.parse(block?.textContent || "{}");

/** The text in the page's language, its {name} placeholders filled from values. */
export function t(text, values = {}) {
  return (STRINGS[text] ?? text).replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}
