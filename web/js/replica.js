// The user's tasks as the server last told them: read whole once (pages of 100), then kept up
// to date with the API's delta sync (GET /todos?since=<X-Sync-Token>), and kept on the device
// so a reload, online or not, starts from the last known list.

import { ApiError } from "./api.js";
import { REPLICAS } from "./db.js";

export class Replica {
  /** `user`: the token's subject; each list is kept apart (`<user>#<listId>`; the default
   * list as `<user>`, as before lists). */
  constructor(api, db, user, listId = "default") {
    this.api = api;
    this.db = db;
    this.subject = user;
    this.user = listId === "default" ? user : `${user}#${listId}`;
    this.tasks = new Map(); // taskId -> task
    this.token = null; // the X-Sync-Token to ask with next
    this.loaded = false; // a whole list has been read (now or on an earlier visit)
    this.forgotten = false;
  }

  async restore() {
    const saved = await this.db.get(REPLICAS, this.user).catch(() => null);
    if (!saved) return;
    this.tasks = new Map(saved.tasks.map((t) => [t.taskId, t]));
    this.token = saved.token;
    this.loaded = true;
  }

  save() {
    if (this.forgotten) return Promise.resolve(); // signed out while a request was under way
    return this.db.put(REPLICAS, { user: this.user, token: this.token, tasks: [...this.tasks.values()] })
      .catch(() => {});
  }

  /** Signed out: every list of this user kept on the device goes (user ids never hold "#"). */
  forget() {
    this.forgotten = true;
    const others = IDBKeyRange.bound(`${this.subject}#`, `${this.subject}#\uffff`);
    return Promise.all([this.subject, others].map((key) => this.db.delete(REPLICAS, key))).catch(() => {});
  }

  /** The server's version of a task (what an If-Match names), null if it only exists here. */
  version(taskId) {
    return this.tasks.get(taskId)?.version ?? null;
  }

  /** A task as the server answered; an older copy (a sync that lags a write) never wins. */
  put(task) {
    const mine = this.tasks.get(task.taskId);
    if (!mine || mine.version <= task.version) this.tasks.set(task.taskId, task);
  }

  remove(taskId) {
    this.tasks.delete(taskId);
  }

  /** Bring the copy up to date; `progress()` after each page of a first (long) read. */
  async pull(progress = () => {}) {
    if (this.token) {
      try {
        await this.changes();
        return;
      } catch (error) {
        // 410: the token outlived the tombstones (30 days); 400: not a token of this API.
        if (!(error instanceof ApiError) || ![400, 410].includes(error.status)) throw error;
      }
    }
    await this.everything(progress);
  }

  async everything(progress) {
    const tasks = new Map();
    let page = { cursor: null };
    let token = null;
    do {
      page = await this.api.page({ order: "desc", cursor: page.cursor });
      for (const task of page.tasks) tasks.set(task.taskId, task);
      token = page.syncToken || token;
      if (!this.loaded) {
        this.tasks = tasks; // the first visit shows the list as it arrives
        progress();
      }
    } while (page.cursor);
    this.tasks = tasks;
    this.token = token;
    this.loaded = true;
    await this.save();
  }

  /** Apply what changed since the token, oldest first; keep the last page's token. */
  async changes() {
    let page = { cursor: null };
    let token = this.token;
    let changed = false;
    do {
      page = await this.api.page({ since: this.token, cursor: page.cursor });
      for (const entry of page.tasks) {
        if (entry.deleted) this.remove(entry.taskId);
        else this.put(entry);
        changed = true;
      }
      token = page.syncToken || token;
    } while (page.cursor);
    changed ||= token !== this.token;
    this.token = token;
    if (changed) await this.save();
  }
}
