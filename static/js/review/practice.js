// Extra study outside the schedule (a section, a tag, the cards forgotten lately), weakest
// cards first. Answers leave the schedule as it is unless the learner ticks the box that
// counts them; nothing is queued offline. The same interface as ScheduleSource.
import { t } from "../strings.js";
import { withQuery } from "../api.js";
import { answerBody } from "./card.js";

/** A practice session: the source of the review loop for one practice selection. */
export class PracticeSource {
  constructor(loop, { bank, practice, reschedule }) {
    this.loop = loop;
    this.bank = bank;
    this.practice = practice; // section:ID | tag:NAME | forgotten:DAYS
    this.reschedule = reschedule; // the checkbox that counts answers in the schedule
    this.seen = []; // card ids answered this session, which the server leaves out
  }

  queued() { return 0; }

  start() { this.load(); }

  async load() {
    const { loop } = this;
    loop.setPhase("loading");
    const query = { bank: this.bank, practice: this.practice, exclude: this.seen.join(",") };
    try {
      const { data } = await loop.request("GET", withQuery(loop.urls.next, query));
      loop.setOffline(false);
      loop.state.counts = data ? { ...data.counts } : { new: 0, learning: 0, review: 0 };
      if (!data) loop.renderCounts();
      loop.show(data);
    } catch (error) {
      loop.say(t("Could not load the next card: {error}", { error: error.message }));
    }
  }

  async grade(rating, elapsed) {
    const { loop } = this;
    const card = loop.state.card;
    this.seen.push(card.card_id);
    try {
      if (this.reschedule && this.reschedule.checked) {
        await loop.request("POST", loop.urls.answer(card.card_id), answerBody(card, rating, elapsed, loop.state.correct));
      }
    } catch (error) {
      this.seen.pop();
      loop.setPhase("back");
      loop.say(t("Could not save that answer: {error}. Try again.", { error: error.message }));
      return;
    }
    loop.state.done += 1;
    await this.load();
  }

  // After a bury or suspend: the next card.
  skip() { return this.load(); }

  // The card on screen has not been answered: the server offers it again by itself.
  putBack() {}

  undo() { return this.loop.undoOnServer(); }

  online() {
    this.loop.setOffline(false);
    if (this.loop.state.phase === "loading") this.load();
  }
}
