// The service worker: the review page, its scripts, styles, icons and diagrams kept in this
// browser so that a reload without a connection still shows the page, the cards in hand
// (kept by review/schedule.js in sessionStorage) and the answers queued (queue.js).
//
// Served at /sw.js (views/review.py) so that its scope is the whole site; the server writes
// the app's version into VERSION, so a deploy is a new worker whose cache replaces the old.
// Network first: online, every page and file is fresh from the server and the copy kept is
// refreshed; only when the network fails is the kept copy used. The API is never touched
// (answers, tokens, other people's data pass straight to the server), and only the review
// pages are kept, never another page. signout.js deletes the cache; a review page that
// sends the browser to sign in deletes the kept pages.
const VERSION = "__WENGU_VERSION__";
// The API's path, written in by the server like the version (/api/v1/).
const API = "__WENGU_API__";
const CACHE = `wengu-${VERSION}`;
const PAGES = /^\/review\/[^/]+$/;
const FILES = [/^\/static\//, /^\/banks\/[^/]+\/diagrams\//];

function kept(url) {
  const { origin, pathname } = new URL(url, self.location.href);
  if (origin !== self.location.origin) return false;
  return PAGES.test(pathname) || FILES.some((files) => files.test(pathname));
}

self.addEventListener("install", (event) => {
  self.skipWaiting();
  // The API goes straight to the network, not through this worker at all, where the browser
  // can say so (Chromium's static routes): a lost connection fails an answer at once.
  if (event.addRoutes) {
    event.waitUntil(
      event.addRoutes([{ condition: { urlPattern: `${API}*` }, source: "network" }]).catch(() => {}),
    );
  }
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("wengu-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Bumped when signout.js asks to forget: a file on its way is then not kept.
let generation = 0;

async function forgetPages() {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (PAGES.test(new URL(request.url).pathname)) await cache.delete(request);
  }
}

async function keep(request, response, since) {
  const page = PAGES.test(new URL(request.url).pathname);
  // A review page that sends the browser elsewhere (to sign in) is no longer this browser's.
  const sentAway = response.type === "opaqueredirect" || response.redirected;
  if (page && sentAway) {
    await forgetPages();
  } else if (response.ok && kept(response.url || request.url) && since === generation) {
    await (await caches.open(CACHE)).put(request, response.clone());
  }
}

// Only what a review page loads is kept: the sign-in page after a sign-out, say, keeps nothing.
async function forReview(event) {
  if (event.request.mode === "navigate") return true;
  const client = event.clientId ? await self.clients.get(event.clientId) : null;
  return Boolean(client) && PAGES.test(new URL(client.url).pathname);
}

async function networkFirst(event) {
  const { request } = event;
  const since = generation;
  try {
    const response = await fetch(request);
    if (await forReview(event)) await keep(request, response, since);
    return response;
  } catch (error) {
    // Pages vary by cookie, which a worker cannot see: the one kept is this browser's.
    const found = await caches.match(request, { cacheName: CACHE, ignoreVary: true });
    if (found) return found;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !kept(request.url)) return; // straight to the network
  event.respondWith(networkFirst(event));
});

// The page names what it loaded before this worker controlled it (its first visit); signout.js
// asks to forget everything, and is answered once it is done.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.forget) {
    generation += 1;
    event.waitUntil(caches.delete(CACHE).then(() => event.ports[0]?.postMessage("forgotten")));
    return;
  }
  const urls = Array.isArray(data.keep) ? data.keep : [];
  const since = generation;
  event.waitUntil((async () => {
    for (const url of urls.filter((each) => typeof each === "string" && kept(each))) {
      if (since !== generation) return;
      try {
        const request = new Request(url, { credentials: "same-origin" });
        await keep(request, await fetch(request), since);
      } catch (error) {
        // Offline already: it is kept the next time it loads.
      }
    }
  })());
});
