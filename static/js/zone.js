// The browser's time zone, offered where a learner's study days are set: chosen in the
// forms that make an account, and proposed on the home page to a learner still on the
// server's default zone. Without this script the forms keep the server's default.

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
const DISMISSED = "wengu.zone-offer-dismissed";

for (const select of document.querySelectorAll("select[data-browser-zone]")) {
  if ([...select.options].some((option) => option.value === zone)) select.value = zone;
}

function dismissed() {
  try {
    return localStorage.getItem(DISMISSED) === zone;
  } catch {
    return false; // storage refused: offer again next time
  }
}

const offer = document.querySelector("[data-zone-offer]");
if (offer && zone && zone !== offer.dataset.zone && !dismissed()) {
  offer.querySelector("input[name=timezone]").value = zone;
  offer.querySelector("[data-browser-zone-name]").textContent = zone;
  offer.hidden = false;
  offer.querySelector("[data-dismiss]").addEventListener("click", () => {
    try {
      localStorage.setItem(DISMISSED, zone);
    } catch {
      // Not kept: the offer comes back on the next visit.
    }
    offer.hidden = true;
  });
}
