// The interface's texts in the page's language. base.html renders them as a JSON data block
// (views/strings.py lists them, so that extraction finds them); a text missing there shows
// in English.
const block = document.getElementById("strings");
const STRINGS = JSON.parse(block?.textContent || "{}");

/** The text in the page's language, its {name} placeholders filled from values. */
export function t(text, values = {}) {
  return (STRINGS[text] ?? text).replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

/**
 * A text with a count in the page's language: the form its plural rules give n
 * (views/strings.py passes each form), its {name} placeholders and {n} filled in.
 */
export function tn(singular, plural, n, values = {}) {
  const forms = STRINGS[`${singular}\u0004${plural}`];
  let text = n === 1 ? singular : plural;
  if (forms) {
    const lang = document.documentElement.lang || "en";
    const category = new Intl.PluralRules(lang).select(n);
    text = forms[category] ?? forms.other ?? text;
  }
  return text.replace(/\{(\w+)\}/g, (_, key) => (key === "n" ? String(n) : (values[key] ?? "")));
}
