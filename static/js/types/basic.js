// A card the learner grades: in the quiz, known (1) or not (2) once its answer shows.
import truefalse from "./truefalse.js";

export default {
  choose(quiz, section, position, index) {
    if (!section.querySelector("[data-self-answer]").hidden) truefalse.choose(quiz, section, position, index);
  },
};
