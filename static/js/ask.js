// A form with data-ask is sent only once the learner says yes to its question, in the app's
// own dialog (confirm.js): for what cannot be taken back, such as removing a member.
import { ask } from "./confirm.js";

const dialog = document.querySelector("[data-confirm-dialog]");
for (const form of document.querySelectorAll("form[data-ask]")) {
  form.addEventListener("submit", async (event) => {
    if (!dialog || form.dataset.asked === "yes") return;
    event.preventDefault();
    dialog.querySelector('button[value="yes"]').textContent = form.dataset.askYes;
    if (await ask(dialog, form.dataset.ask)) {
      form.dataset.asked = "yes";
      form.requestSubmit();
    }
  });
}
