// The review page asks for the service worker (sw.js) that keeps it for a reload without a
// connection, and names what the page loaded before the worker controlled it. Where the
// browser has no service workers (or the page is not on HTTPS or localhost), the page works
// as before: answers are still queued, but a reload offline shows the browser's error page.
const WORKER = "/sw.js";

export function keepOffline() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register(WORKER).catch(() => {});
  navigator.serviceWorker.ready.then((registration) => {
    const loaded = performance.getEntriesByType("resource").map((entry) => entry.name);
    // The icons and styles the page names, loaded or not yet (a browser fetches its icon
    // past the service worker, and when it likes).
    const named = [...document.querySelectorAll("link[href], img[src]")].map((el) => el.href || el.src);
    registration.active?.postMessage({ keep: [window.location.href, ...new Set([...loaded, ...named])] });
  }).catch(() => {});
}

const FORGET_TIMEOUT_MS = 1000;

/** Delete what the service worker keeps: signout.js, before the sign-out goes on. The
 * worker is told first, so that a file it is still fetching is not kept after all. */
export async function forgetOffline() {
  const worker = "serviceWorker" in navigator ? navigator.serviceWorker.controller : null;
  if (worker) {
    await new Promise((done) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = done;
      worker.postMessage({ forget: true }, [channel.port2]);
      window.setTimeout(done, FORGET_TIMEOUT_MS);
    });
  }
  if (!("caches" in window)) return;
  try {
    for (const name of await caches.keys()) {
      if (name.startsWith("wengu-")) await caches.delete(name);
    }
  } catch (error) {
    // Storage refused: nothing was kept.
  }
}
