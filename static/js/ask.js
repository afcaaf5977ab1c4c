// A form with data-ask is sent only once the learner says yes to its question, in the app's
// own dialog (confirm.js): for what cannot be taken back, such as removing a member. With
// data-ask-danger (a removal, a revoke, leaving) the yes button looks destructive.
import { ask } from "./confirm.js";

const dialog = document.querySelector("[data-confirm-dialog]");
for (const form of document.querySelectorAll("form[data-ask]")) {
  form.addEventListener("submit", async (event) => {
    if (!dialog || form.dataset.asked === "yes") return;
    event.preventDefault();
    const yes = dialog.querySelector('button[value="yes"]');
    yes.textContent = form.dataset.askYes;
    const danger = "askDanger" in form.dataset;
    yes.classList.toggle("danger", danger);
    yes.classList.toggle("primary", !danger);
    if (await ask(dialog, form.dataset.ask)) {
      form.dataset.asked = "yes";
      form.requestSubmit();
    }
  });
}
