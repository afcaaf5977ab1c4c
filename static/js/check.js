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

// A whole text written as one Markdown code span: `-f` or `` -f ``.
const CODE_SPAN = /^(`+)([^`]+)\1$/;

// Han and kana, as srs/cjk.py has them: a space beside one is a matter of style in Chinese and
// Japanese ("UTS 命名空间" and "UTS命名空间" are one answer). Hangul keeps its spaces.
const IDEOGRAPH = "[\\u2e80-\\u2fdf\\u3040-\\u30ff\\u31f0-\\u31ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}]";
const BESIDE_IDEOGRAPH = new RegExp(` (?=${IDEOGRAPH})|(?<=${IDEOGRAPH}) `, "gu");

function unspaced(text) {
  return text.replace(BESIDE_IDEOGRAPH, "");
}

// A key's colon (env_file:) and a folder's slash (/var/lib/docker/) name the same thing.
function unended(text) {
  return Array.from(text).length > 1 && /[:/]$/.test(text) ? text.slice(0, -1) : text;
}

/** Text as the checker compares it: NFKC, case folded, runs of space one space, trimmed,
 * a text that is one code span taken without its backticks, the spaces beside Han or kana
 * dropped, and one colon or slash ending it dropped. */
export function normalise(text) {
  const plain = fold(String(text).normalize("NFKC")).normalize("NFKC").replace(SPACES, " ").replace(/^ | $/g, "");
  const span = CODE_SPAN.exec(plain);
  return unended(unspaced(span ? span[2].replace(/^ | $/g, "") : plain));
}

// normalise but its case folding: the form a typed answer is shown in.
function typedForm(text) {
  const plain = String(text).normalize("NFKC").replace(SPACES, " ").replace(/^ | $/g, "");
  const span = CODE_SPAN.exec(plain);
  return unended(unspaced(span ? span[2].replace(/^ | $/g, "") : plain));
}

// The characters of text as written, where each is one of folded's; else folded's.
function asWritten(text, folded) {
  const written = Array.from(typedForm(text));
  const aligned = written.length === folded.length
    && written.every((char, at) => fold(char).normalize("NFKC") === folded[at]);
  return aligned ? written : folded;
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

// The least score of an answer not wholly right that suggests Hard rather than Again: as
// PARTLY_RIGHT in srs/questions/base.py.
const PARTLY_RIGHT = 0.5;

// Partial credit, as srs scores it; types not listed score all or nothing.
const SCORES = {
  choice(check, response) {
    const right = new Set([].concat(check.correct));
    const chosen = new Set(Array.isArray(response) ? response : []);
    if (right.size < 2) return 0;
    const hits = [...chosen].filter((index) => right.has(index)).length;
    return Math.max(0, (hits - (chosen.size - hits)) / right.size);
  },
  order(check, response) {
    const given = Array.isArray(response) ? response.slice(0, check.count) : [];
    return given.filter((item, place) => item === place).length / check.count;
  },
};

/** The rating a response suggests, from the card's suggest payload ({right, partly, wrong}):
 * right when right, partly when it scores at least PARTLY_RIGHT, else wrong. */
export function suggestedRating(type, check, response, suggest) {
  if (isRight(type, check, response)) return suggest.right;
  const score = SCORES[type] ? SCORES[type](check, response) : 0;
  return score >= PARTLY_RIGHT && suggest.partly ? suggest.partly : suggest.wrong;
}

/** Whether a response says nothing: none given, no text but space, or nothing chosen. */
export function isBlank(response) {
  if (response === undefined || response === null) return true;
  if (typeof response === "string") return normalise(response) === "";
  return Array.isArray(response) && response.length === 0;
}

// The longest common subsequence of a and b, as lengths from each (i, j) to the ends.
function commonFrom(a, b) {
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  return table;
}

/**
 * A typed answer against a right one, both normalised as the checker compares them, in runs
 * of characters: "same", "wrong" (typed, not in the right answer) and "missing" (in the right
 * answer, not typed), each as written (the same ones as the right answer writes them).
 * srs/questions/typing.py words a quiz's answers the same way.
 */
export function typedDiff(typed, right) {
  const a = Array.from(normalise(typed));
  const b = Array.from(normalise(right));
  const [shownA, shownB] = [asWritten(typed, a), asWritten(right, b)];
  const common = commonFrom(a, b);
  const runs = [];
  const add = (kind, char) => {
    const last = runs[runs.length - 1];
    if (last && last.kind === kind) last.text += char;
    else runs.push({ kind, text: char });
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { add("same", shownB[j]); i += 1; j += 1; }
    else if (j >= b.length || (i < a.length && common[i + 1][j] >= common[i][j + 1])) { add("wrong", shownA[i]); i += 1; }
    else { add("missing", shownB[j]); j += 1; }
  }
  return runs;
}

/** Of the accepted answers, the one the typed text comes nearest (most characters shared). */
/** Whether a typed answer is near the right one, so its diff teaches (srs/questions/typing.py,
 * is_near_miss): at least half the characters of both shared. */
export function isNearMiss(runs) {
  const same = runs.filter((run) => run.kind === "same").reduce((n, run) => n + run.text.length, 0);
  const total = runs.reduce((n, run) => n + run.text.length * (run.kind === "same" ? 2 : 1), 0);
  return total > 0 && 2 * same >= total * 0.5;
}

export function nearestAnswer(typed, accept) {
  const a = Array.from(normalise(typed));
  const shared = (option) => commonFrom(a, Array.from(normalise(option)))[0][0];
  return accept.reduce((best, option) => (shared(option) > shared(best) ? option : best));
}
