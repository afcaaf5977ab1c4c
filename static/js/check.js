// Whether a response to a card is right: the browser's one checker, for review and quiz.
// srs/ checks the same way on the server; tests/vectors/answers.json holds both to it.
//
// A response is what the learner gave: the typed text (typing), the chosen indices (choice),
// true or false (truefalse), the items' indices in the order picked (order), the label
// typed (occlusion).

// Exactly the characters of Python's str.isspace(), so both checkers collapse the same ones.
const SPACES = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

// Full case folding, as Python's casefold(): lower, upper, lower again takes "ß" and "ẞ" to
// "ss"; the final sigma folds to the plain one.
function fold(text) {
  return text.toLowerCase().toUpperCase().toLowerCase().replace(/ς/g, "σ");
}

/** Text as the checker compares it: NFKC, case folded, runs of space one space, trimmed. */
export function normalise(text) {
  return fold(String(text).normalize("NFKC")).normalize("NFKC").replace(SPACES, " ").replace(/^ | $/g, "");
}

function sameSet(left, right) {
  return left.size === right.size && [...left].every((item) => right.has(item));
}

const CHECKS = {
  typing(check, response) {
    const typed = typeof response === "string" ? normalise(response) : "";
    return typed !== "" && check.accept.some((option) => normalise(option) === typed);
  },
  choice(check, response) {
    const chosen = new Set(Array.isArray(response) ? response : []);
    return chosen.size > 0 && sameSet(chosen, new Set([].concat(check.correct)));
  },
  truefalse(check, response) {
    return typeof response === "boolean" && response === check.correct;
  },
  occlusion(check, response) {
    return CHECKS.typing(check, response); // typed: the masked label, as a typing answer
  },
  order(check, response) {
    return Array.isArray(response) && response.length === check.count &&
      response.every((item, rank) => item === rank);
  },
};

/** Whether response is a right answer to a card of type with this check payload. */
export function isRight(type, check, response) {
  const rule = CHECKS[type];
  if (!rule) throw new Error(`no answer check for type ${type}`);
  return rule(check, response);
}

/** Whether a response says nothing: none given, no text but space, or nothing chosen. */
export function isBlank(response) {
  if (response === undefined || response === null) return true;
  if (typeof response === "string") return normalise(response) === "";
  return Array.isArray(response) && response.length === 0;
}
