// A page shown to nobody signed in (sign-in, first run, joining, a password reset) deletes the
// pages the service worker kept (sw.js): a session can end without the sign-out button (it
// expires, its cookie is cleared), and the next person to sign in at this browser passes here
// first, so the review page of the one before is never shown to them offline. The answers
// still queued stay, under their learner's own key (queue.js), for when that learner is back.
import { forgetOffline } from "./offline.js";

forgetOffline();
