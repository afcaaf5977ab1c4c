// A form that must be sent once (data-once): its submit buttons are disabled as it goes, so
// a second press, or a double tap, does not send the same request again. They are disabled
// after the submit event, since a disabled button's form would not be sent at all.

for (const form of document.querySelectorAll("form[data-once]")) {
  form.addEventListener("submit", () => {
    setTimeout(() => {
      for (const button of form.querySelectorAll("button[type=submit]")) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      }
    });
  });
}
