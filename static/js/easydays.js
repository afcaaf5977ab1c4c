// Easy days on the settings page: the warning that the server gives when every day is at
// Minimum, shown as soon as the selects say so and hidden again when one day is above it.
// Without this script the warning comes when the schedule is saved.

const fieldset = document.querySelector("fieldset.easy-days");
const warning = fieldset?.querySelector("[data-all-minimum]");
if (fieldset && warning) {
  const selects = [...fieldset.querySelectorAll("select")];
  const hint = fieldset.getAttribute("aria-describedby").split(" ")[0];
  const check = () => {
    const allMinimum = selects.every((select) => Number(select.value) === 0);
    warning.hidden = !allMinimum;
    fieldset.classList.toggle("has-error", allMinimum);
    fieldset.setAttribute("aria-describedby", allMinimum ? `${hint} ${warning.id}` : hint);
  };
  for (const select of selects) select.addEventListener("change", check);
}
