// The review page's keyboard and buttons: a table from key to what it does, and one from a
// button's data-action to the same.

function toggleHelp(el, open) {
  const willOpen = open === undefined ? el.help.hidden : open;
  el.help.hidden = !willOpen;
  if (willOpen) el.help.querySelector("button").focus();
}

function numberKey(loop, number) {
  const { phase } = loop.state;
  if (phase === "back" && number <= 4) loop.grade(number);
  else if (phase === "front") loop.response.number(number);
}

// Each key: what it does, and whether the browser's own use of it is stopped.
function keyTable(loop) {
  const letter = (key) => ({ run: () => { if (loop.state.card) loop.response.letter(key); } });
  const table = {
    " ": { run: () => loop.primary(), prevent: true },
    Enter: { run: () => loop.primary(), prevent: true },
    Backspace: { run: () => loop.response.unpick(), prevent: true },
    t: letter("t"),
    f: letter("f"),
    u: { run: () => loop.undo() },
    b: { run: () => loop.cardAction("bury") },
    s: { run: () => loop.cardAction("suspend") },
    n: { run: () => loop.togglePassage() },
    "?": { run: () => toggleHelp(loop.el, true) },
  };
  for (const letter of "ubsn") table[letter.toUpperCase()] = table[letter];
  for (let number = 1; number <= 9; number += 1) {
    table[String(number)] = { run: () => numberKey(loop, number), prevent: true };
  }
  return table;
}

/** Whether Space and Enter are the focused element's own: a grade button's click, the
 * button that opens the notes, a link in the answer or the passage. */
function ownKeys(target) {
  const control = target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement;
  return control && Boolean(target.closest(".grades, [data-back]"));
}

/** The handler of keydown events on the review page. */
export function keyHandler(loop) {
  const table = keyTable(loop);
  return (event) => {
    if (event.altKey || (event.metaKey && event.key !== "z")) return;
    const typing = event.target instanceof HTMLInputElement;
    if (!loop.el.help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); toggleHelp(loop.el, false); }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !typing) {
      event.preventDefault();
      loop.undo();
      return;
    }
    if (typing && event.key === "Escape" && !event.isComposing) {
      // Esc leaves a typed answer's box: the keys are the page's shortcuts again.
      event.preventDefault();
      loop.el.card.focus({ preventScroll: true });
      return;
    }
    if (event.ctrlKey || typing) return; // the typing form handles its own Enter
    if ((event.key === " " || event.key === "Enter") && ownKeys(event.target)) return;
    if (event.key === "Escape" && loop.passage?.open) { loop.passage.close(true); return; }
    const binding = table[event.key];
    if (!binding) return;
    if (binding.prevent) event.preventDefault();
    binding.run();
  };
}

// A tap right after a grade's, closer than this, is the same double tap, not a decision.
const DOUBLE_TAP_MS = 400;
// The buttons that take a grade's place in the action bar when the next card shows.
const BURST_ACTIONS = new Set(["show", "giveup"]);

/** The handler of clicks on the review page's buttons (data-action, data-rating). */
export function clickHandler(loop) {
  let lastGrade = -Infinity;
  const actions = {
    show: () => loop.primary(),
    giveup: () => loop.response.giveUp(),
    undo: () => loop.undo(),
    bury: () => loop.cardAction("bury"),
    suspend: () => loop.cardAction("suspend"),
    help: () => toggleHelp(loop.el),
    passage: () => loop.togglePassage(),
    "passage-close": () => loop.passage?.close(true),
  };
  return (event) => {
    const target = event.target.closest("[data-action], [data-rating]");
    const graded = lastGrade; // the tap before this one was (part of) a grade's, at that time
    lastGrade = -Infinity;
    if (!target) return;
    if (target.dataset.rating) {
      lastGrade = event.timeStamp;
      loop.grade(Number(target.dataset.rating));
      return;
    }
    // The second and later taps of a double or triple tap on a grade land where the next
    // card's "Show answer" or "I don't know" now is: they would show that card's answer
    // before its question was read. Each one ignored carries the burst on.
    if (BURST_ACTIONS.has(target.dataset.action) && event.timeStamp - graded < DOUBLE_TAP_MS) {
      lastGrade = event.timeStamp;
      return;
    }
    actions[target.dataset.action]?.();
  };
}

/** Clicking the shortcuts dialog's backdrop closes it. */
export function closeOnBackdrop(el) {
  el.help.addEventListener("click", (event) => { if (event.target === el.help) toggleHelp(el, false); });
}
