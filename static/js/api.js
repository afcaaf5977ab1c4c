// Talking to the JSON API: JSON in and out, the CSRF token on every write, and failures a
// retry may cure (no connection, a server error, too many requests) told apart from those
// it cannot. Every URL comes from the page, rendered there with url_for.
import { t } from "./strings.js";

/** A failure that may pass: the connection, the server, or its rate limit. */
export class Offline extends Error {}

/** url with the query parameters in params added. */
export function withQuery(url, params) {
  const query = new URLSearchParams(params).toString();
  return query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url;
}

/** A URL template the page rendered (ending ".../{card}", say) filled in from values. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(values[key]));
}

function headers(method, body, csrf) {
  return {
    Accept: "application/json",
    ...(body ? { "Content-Type": "application/json" } : {}),
    ...(method !== "GET" ? { "X-CSRFToken": csrf } : {}),
  };
}

async function readJson(response) {
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch (error) {
    // A proxy's error page, or a reply cut short: as good as no connection.
    throw new Offline(t("No connection"));
  }
}

/**
 * A function that sends one request and returns {status, data}; it throws Offline for a
 * failure worth a retry, an Error with the API's message otherwise. A 401 sends the
 * browser to the sign-in page at login; a 409 is an answer, not a failure.
 */
export function client({ csrf, login }) {
  return async function request(method, url, body) {
    let response;
    try {
      const init = { method, credentials: "same-origin", headers: headers(method, body, csrf) };
      response = await fetch(url, body ? { ...init, body: JSON.stringify(body) } : init);
    } catch (error) {
      throw new Offline(t("No connection"));
    }
    if (response.status === 401) {
      window.location.assign(withQuery(login, { next: window.location.pathname }));
      throw new Error("signed out");
    }
    const data = await readJson(response);
    if (response.status >= 500 || response.status === 429) throw new Offline(data && data.error);
    if (!response.ok && response.status !== 409) {
      const failure = new Error((data && data.error) || response.statusText);
      failure.status = response.status;
      throw failure;
    }
    return { status: response.status, data };
  };
}
