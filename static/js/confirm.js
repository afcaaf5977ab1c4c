// The app's own "are you sure": the <dialog> of _dialogs.html's confirm_dialog, in place of
// the browser's confirm(), which looks like another site's and cannot be styled or translated.

/** Ask message in dialog; resolves to true when the learner presses its "yes" button. */
export function ask(dialog, message) {
  dialog.querySelector("[data-confirm-message]").textContent = message;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.showModal();
  });
}
