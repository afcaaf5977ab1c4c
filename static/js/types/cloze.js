// A cloze card: on the back the blanks fill in where they stand, as in Anki; the back holds
// the explanation.
export default {
  back(el, card) {
    el.prompt.innerHTML = card.answer_html; // rendered and sanitised by the server
    el.answer.replaceChildren();
  },
};
