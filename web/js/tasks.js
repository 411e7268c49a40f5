// Lists as the screen shows them: one filter, newest first, loaded a page at a time.

import { STATUSES_OF } from "./filters.js";

export const PAGE_SIZE = 20;

/** One server-side list (one status, or all), read page by page through its cursor. */
class Stream {
  constructor(api, status) {
    this.api = api;
    this.status = status;
    this.buffer = [];
    this.cursor = null;
    this.done = false;
  }

  async fill() {
    if (this.done || this.buffer.length > 0) return;
    const page = await this.api.list({ status: this.status, cursor: this.cursor, limit: PAGE_SIZE });
    this.buffer.push(...page.tasks);
    this.cursor = page.cursor;
    this.done = !page.cursor;
  }
}

/**
 * The tasks of a filter, newest first. "Active" is two statuses (pending, in_progress): the API
 * filters by one, so their two lists are merged by task id (UUIDv7: creation order).
 */
export class Pager {
  constructor(api, filter) {
    this.streams = STATUSES_OF[filter].map((status) => new Stream(api, status));
  }

  get exhausted() {
    return this.streams.every((s) => s.done && s.buffer.length === 0);
  }

  /** Up to PAGE_SIZE more tasks, in order. */
  async next() {
    const out = [];
    while (out.length < PAGE_SIZE) {
      await Promise.all(this.streams.map((s) => s.fill()));
      const live = this.streams.filter((s) => s.buffer.length > 0);
      if (live.length === 0) break;
      // Newest first: the largest id at the head of any stream comes next.
      live.sort((a, b) => (a.buffer[0].taskId < b.buffer[0].taskId ? 1 : -1));
      out.push(live[0].buffer.shift());
    }
    return out;
  }
}
