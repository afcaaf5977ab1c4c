// An order question: pick the items in order (tap, or 1–9). A pick is taken back by tapping
// it (in the list or in your order), by Undo (or Backspace) or Clear; nothing is checked until
// Check (or Enter) with every item picked, so one mis-tap is not a wrong answer.
import { t } from "../strings.js";
import { deviceHint, itemButtons, markPlace, optionList } from "../widgets.js";

function pickedChip(html, rank, onTap) {
  const chip = document.createElement("button");
  chip.type = "button";
  chip.className = "picked-item";
  chip.dataset.rank = String(rank + 1);
  chip.innerHTML = html; // rendered and sanitised by the server
  chip.addEventListener("click", onTap);
  const item = document.createElement("li");
  item.append(chip);
  return item;
}

// Your order in `place` (review's response, a quiz's question): the picks (indices of `buttons`,
// in order) as chips that take themselves back when tapped, each item with its rank.
function showRanks(place, buttons, picked, takeBack) {
  place.querySelector(".picked").replaceChildren(...picked.map((at, rank) =>
    pickedChip(buttons[at].querySelector(".option-text").innerHTML, rank, () => takeBack(rank))));
  buttons.forEach((button, at) => {
    const rank = picked.indexOf(at);
    button.classList.toggle("is-chosen", rank >= 0);
    button.setAttribute("aria-pressed", String(rank >= 0));
    button.querySelector(".option-rank").textContent = rank >= 0 ? String(rank + 1) : "";
  });
  for (const tool of place.querySelectorAll(".order-tools button")) tool.disabled = !picked.length;
  // How many are picked of how many: Check waits for them all.
  const heading = place.querySelector(".order-heading");
  if (heading) {
    heading.textContent = picked.length
      ? `${t("Your order")} ${picked.length}/${buttons.length}`
      : t("Your order");
  }
}

function showOrder(answers) {
  const { card, picked } = answers.state;
  showRanks(answers.loop.el.response, answers.buttons(), picked, (rank) => takeBack(answers, rank));
  answers.ready(picked.length === card.items.length);
}

function takeBack(answers, rank) {
  if (!answers.front()) return;
  answers.state.picked = answers.state.picked.filter((_, at) => at !== rank);
  showOrder(answers);
}

// A tap on a picked item takes it back; a key on one leaves it (keys only add).
function pick(answers, position, byTap = false) {
  const { card, picked } = answers.state;
  if (!answers.front() || position >= card.items.length) return;
  if (picked.includes(position)) {
    if (byTap) takeBack(answers, picked.indexOf(position));
    return;
  }
  answers.state.picked = [...picked, position];
  showOrder(answers);
}

function toolButton(label, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button small";
  button.textContent = label;
  button.disabled = true;
  button.addEventListener("click", onClick);
  return button;
}

function orderTools(answers) {
  const tools = document.createElement("div");
  tools.className = "order-tools";
  const heading = document.createElement("span");
  heading.className = "order-heading";
  heading.textContent = t("Your order");
  tools.append(heading,
    toolButton(t("Undo pick"), () => takeBack(answers, answers.state.picked.length - 1)),
    toolButton(t("Clear"), () => { if (answers.front()) { answers.state.picked = []; showOrder(answers); } }));
  return tools;
}

function withRanks(list) {
  for (const button of list.querySelectorAll(".option")) {
    const rank = document.createElement("span");
    rank.className = "option-rank";
    rank.setAttribute("aria-hidden", "true");
    button.append(rank);
  }
  return list;
}

// A quiz keeps its answer as the items (by their index in the bank), in the order picked.
function quizPicks(quiz, section, position) {
  const buttons = itemButtons(section);
  const picks = (quiz.state.answers[position] || [])
    .map((item) => buttons.findIndex((button) => Number(button.dataset.item) === item));
  return { buttons, picks };
}

function showQuizOrder(quiz, section, position) {
  const { buttons, picks } = quizPicks(quiz, section, position);
  showRanks(section, buttons, picks, (rank) => {
    quiz.state.answers[position] = quiz.state.answers[position].filter((_, at) => at !== rank);
    showQuizOrder(quiz, section, position);
    quiz.refresh();
  });
}

export default {
  build(card, answers) {
    const sequence = document.createElement("ol");
    sequence.className = "picked";
    sequence.setAttribute("aria-label", t("Your order: a picked item pressed goes back"));
    sequence.dataset.empty = t("Your picks appear here, in order");
    answers.ready(false);
    // Your order stands above the items, so that it stays in sight on a phone.
    return [deviceHint(t("Pick the items in order (1–9), then Enter; Backspace takes one back."),
      t("Tap the items in order, then Check; tap a picked one to take it back.")),
    orderTools(answers), sequence,
    withRanks(optionList("options order-pool", card.items.map((item) => item.html), (at) => pick(answers, at, true)))];
  },
  showButton: () => true,
  showLabel: () => t("Check"),
  check(answers) {
    const { card, picked } = answers.state;
    if (!answers.front() || picked.length !== card.items.length) return;
    // Each of the learner's picks, marked in place, as a choice's options are.
    answers.loop.el.response.querySelectorAll(".picked-item").forEach((chip, rank) => {
      markPlace(chip, card.items[picked[rank]].index === rank);
    });
    answers.judge(picked.map((at) => card.items[at].index));
  },
  number: (answers, number) => pick(answers, number - 1),
  unpick(answers) {
    if (answers.state.picked.length) takeBack(answers, answers.state.picked.length - 1);
  },

  // As in review: a tap on a picked item takes it back; a key on one leaves it.
  choose(quiz, section, position, index, byTap = false) {
    const { buttons, picks } = quizPicks(quiz, section, position);
    if (index >= buttons.length) return;
    const picked = quiz.state.answers[position] || [];
    if (picks.includes(index)) {
      if (byTap) quiz.state.answers[position] = picked.filter((_, rank) => rank !== picks.indexOf(index));
    } else {
      quiz.state.answers[position] = [...picked, Number(buttons[index].dataset.item)];
    }
    showQuizOrder(quiz, section, position);
  },
  // A quiz's answer kept in the browser (its items, in the order picked), picked again.
  restoreQuiz(quiz, section, position, picked) {
    const buttons = itemButtons(section);
    for (const item of picked) {
      const place = buttons.findIndex((button) => Number(button.dataset.item) === item);
      if (place >= 0) this.choose(quiz, section, position, place);
    }
  },
  // An order is answered once every item is picked: fewer is not an order.
  unfinishedQuiz: (section, answer) => answer.length < itemButtons(section).length,
  clearQuiz(quiz, section, position) {
    quiz.state.answers[position] = [];
    showQuizOrder(quiz, section, position);
  },
  unpickQuiz(quiz, section, position) {
    const { answers } = quiz.state;
    if (!(answers[position] || []).length) return;
    answers[position] = answers[position].slice(0, -1);
    showQuizOrder(quiz, section, position);
  },
};
