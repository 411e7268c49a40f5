// Every write goes through this queue: kept on the device (IndexedDB) before it is sent, shown
// at once as "not yet saved", and sent in the order it was made. Offline, writes wait here and
// are sent on reconnect: a create with its Idempotency-Key (sent twice, made once), an edit or
// delete with If-Match on the version the user saw (changed elsewhere meanwhile: 412, and the
// user chooses).
//
// Each queue (one per signed-in page) holds a Web Lock while it lives and marks its writes with
// it; a write whose queue is gone (a closed tab, the page before a reload, a sign-out) is
// adopted by the next queue of that user.

import { ApiError } from "./api.js";
import { QUEUE } from "./db.js";

const ownerLock = (id) => `todo-queue:${id}`;

let made = 0;
/** An id for a task made here, until the server gives it its own: sorts above every UUIDv7
 * ("l" > any hex digit) and, among its kind, by the order they were made. */
export function localId() {
  made += 1;
  const stamp = Date.now().toString(36).padStart(9, "0") + made.toString(36).padStart(4, "0");
  return `local-${stamp}-${crypto.randomUUID()}`;
}

/** A task with a merge patch applied, as the server would ("completed" is a status shortcut). */
export function merged(task, patch) {
  const next = { ...task };
  for (const [name, value] of Object.entries(patch)) {
    if (name === "completed") next.status = value ? "completed" : "pending";
    else next[name] = value;
  }
  next.completed = next.status === "completed";
  // The instant is the server's to work out (zone rules): until it answers, none is shown.
  if ("dueDate" in patch || "timeZone" in patch) delete next.dueAt;
  return next;
}

/** Does the task already say what the patch says (a write whose answer was lost)? */
export function reflects(task, patch) {
  const wanted = merged(task, patch);
  const norm = (v) => JSON.stringify(
    Array.isArray(v) ? (v.length ? v.map((i) => (typeof i === "object" ? [i.title.trim(), !!i.done] : i)) : null)
      : typeof v === "string" ? v.trim() : v ?? null);
  return Object.keys(patch).every((name) => {
    const key = name === "completed" ? "status" : name;
    return norm(task[key]) === norm(wanted[key]);
  });
}

export class Queue {
  /**
   * @param {{onChange: () => void, onConflict: (newer, patch, op) => void,
   *   onGone: (task) => void, onRefused: (op, error) => void}} on what the screen does
   */
  constructor(api, db, replica, on) {
    this.api = api;
    this.db = db;
    this.replica = replica;
    this.user = replica.user;
    this.on = on;
    this.ops = []; // this queue's writes, oldest first
    this.waiters = new Map(); // seq -> {resolve, reject} of a write made here
    this.advanced = new Map(); // "taskId@version" -> {taskId, base}: where our writes took it
    this.id = crypto.randomUUID();
    navigator.locks?.request(ownerLock(this.id), () => new Promise((release) => { this.release = release; }));
  }

  /** Signed out: this queue's writes are left for the next one of the user to adopt. */
  close() {
    this.release?.();
  }

  get size() {
    return this.ops.length;
  }

  pending(taskId) {
    return this.ops.some((op) => op.taskId === taskId || op.taskIds?.includes(taskId));
  }

  /** The tasks as the user should see them: the server's, with every unsent write applied. */
  view() {
    const tasks = new Map(this.replica.tasks);
    for (const op of this.ops) {
      if (op.kind === "create") {
        tasks.set(op.taskId, {
          taskId: op.taskId, status: "pending", completed: false, priority: "normal", tags: [],
          checklist: [], version: 0, createdAt: op.at, ...op.fields,
        });
      } else if (op.kind === "patch" && tasks.has(op.taskId)) {
        tasks.set(op.taskId, merged(tasks.get(op.taskId), op.patch));
      } else if (op.kind === "delete") {
        tasks.delete(op.taskId);
      } else if (op.kind === "clear") {
        for (const id of op.taskIds) tasks.delete(id);
      }
    }
    return tasks;
  }

  /**
   * Keep a write and send it. Resolves {task} once the server took it, {queued: true} when it
   * has to wait (offline), {conflict: true} when the user is asked to choose; rejects with the
   * server's ApiError when it refused it (400: the caller shows why beside its fields).
   */
  async add(op) {
    const record = { ...op, user: this.user, owner: this.id, at: new Date().toISOString() };
    record.seq = await this.db.put(QUEUE, record);
    // A write of ours to the same task may have gone through while this one was being stored:
    // this one builds on what that one made, as the user saw it.
    let moved = false;
    for (let next; (next = this.advanced.get(`${record.taskId}@${record.base ?? null}`));) {
      Object.assign(record, next);
      moved = true;
    }
    if (moved) await this.db.put(QUEUE, record);
    this.ops.push(record);
    const outcome = new Promise((resolve, reject) => this.waiters.set(record.seq, { resolve, reject }));
    this.on.onChange();
    this.on.onAdded();
    return outcome;
  }

  /** Writes left by queues that are gone; one tab at a time, so two never take the same. */
  async adopt() {
    const take = async () => {
      const held = new Set(((await navigator.locks?.query())?.held || []).map((lock) => lock.name));
      let adopted = false;
      for (const op of await this.db.byUser(QUEUE, this.user).catch(() => [])) {
        // Ours (sent, waiting, or being added right now), or a live queue's: not to take.
        if (op.owner === this.id || held.has(ownerLock(op.owner))) continue;
        op.owner = this.id;
        await this.db.put(QUEUE, op);
        this.ops.push(op);
        adopted = true;
      }
      this.ops.sort((a, b) => a.seq - b.seq);
      if (adopted) this.on.onChange();
    };
    if (navigator.locks) await navigator.locks.request(`todo-adopt:${this.user}`, take);
    else await take();
  }

  /** Send every write in order; throws (leaving the rest queued) when the server cannot be
   * reached or is failing, so the caller can back off. */
  async flush() {
    await this.adopt();
    while (this.ops.length > 0) {
      const op = this.ops[0];
      try {
        try {
          await this.send(op);
        } catch (error) {
          if (!(error instanceof ApiError) || error.transient || error.status === 401) throw error;
          await this.refused(op, error);
        }
      } catch (error) {
        // Nothing more will happen to these soon: whoever waits hears they are queued.
        for (const waiting of this.ops) this.settle(waiting, "resolve", { queued: true });
        throw error;
      }
    }
  }

  async send(op) {
    if (op.kind === "create") {
      await this.done(op, await this.api.create(op.fields, op.key));
    } else if (op.kind === "patch") {
      await this.done(op, await this.api.patch(op.taskId, op.patch, op.base));
    } else if (op.kind === "delete") {
      try {
        await this.api.remove(op.taskId, op.base);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 404) throw error; // gone: as wanted
      }
      this.replica.remove(op.taskId);
      await this.done(op, null);
    } else if (op.kind === "clear") {
      await this.api.clear("completed");
      // The tasks the user saw completed are gone; any other the next sync reports.
      for (const id of op.taskIds) {
        if (this.replica.tasks.get(id)?.status === "completed") this.replica.remove(id);
      }
      await this.done(op, null);
    }
  }

  /** A write went through: later writes to the same task now build on its new version (and,
   * for a task made here, name its server id). */
  async done(op, task) {
    this.ops = this.ops.filter((o) => o !== op);
    const rebased = [];
    if (task) {
      this.replica.put(task);
      this.advanced.set(`${op.taskId}@${op.base ?? null}`, { taskId: task.taskId, base: task.version });
      for (const later of this.ops) {
        if (later.taskId === op.taskId) {
          if ((later.base ?? null) === (op.base ?? null)) later.base = task.version;
          later.taskId = task.taskId;
          rebased.push(later);
        } else if (later.taskIds?.includes(op.taskId)) {
          later.taskIds = later.taskIds.map((id) => (id === op.taskId ? task.taskId : id));
          rebased.push(later);
        }
      }
      if (op.taskId !== task.taskId) this.on.onRenamed(op.taskId, task.taskId);
    }
    await this.db.delete(QUEUE, op.seq).catch(() => {});
    for (const later of rebased) await this.db.put(QUEUE, later);
    await this.replica.save();
    this.settle(op, "resolve", { task });
    this.on.onChange();
  }

  /** The server said no: a conflict (412), a task gone (404), or a write it will never take. */
  async refused(op, error) {
    if (error.status === 412) {
      let newer;
      try {
        newer = await this.api.get(op.taskId);
      } catch (fetchError) {
        if (!(fetchError instanceof ApiError) || fetchError.status !== 404) throw fetchError;
        error = fetchError;
      }
      if (newer && op.kind === "patch" && reflects(newer, op.patch)) {
        await this.done(op, newer); // it went through before; only the answer was lost
        return;
      }
      if (newer) {
        // Every unsent write to this task is the user's answer to the same question.
        const mine = this.ops.filter((o) => o.taskId === op.taskId);
        const patch = mine.some((o) => o.kind === "delete") ? null
          : Object.assign({}, ...mine.map((o) => o.patch));
        for (const o of mine) await this.drop(o);
        this.replica.put(newer);
        await this.replica.save();
        for (const o of mine) this.settle(o, "resolve", { conflict: true });
        this.on.onChange();
        this.on.onConflict(newer, patch);
        return;
      }
    }
    if (error.status === 404) {
      const task = this.replica.tasks.get(op.taskId) || op.fields || {};
      for (const o of this.ops.filter((o) => o.taskId === op.taskId)) {
        await this.drop(o);
        this.settle(o, "resolve", { gone: true });
      }
      this.replica.remove(op.taskId);
      await this.replica.save();
      this.on.onChange();
      this.on.onGone(task);
      return;
    }
    // 400 and the like: this write will never be taken; nor will later ones to a task never made.
    const dropped = [op, ...(op.kind === "create" ? this.ops.filter((o) => o !== op && o.taskId === op.taskId) : [])];
    for (const o of dropped) await this.drop(o);
    this.on.onChange();
    if (!this.settle(op, "reject", error)) this.on.onRefused(op, error);
  }

  async drop(op) {
    this.ops = this.ops.filter((o) => o !== op);
    await this.db.delete(QUEUE, op.seq).catch(() => {});
  }

  /** Tell whoever waits on a write; false if no one does (a write from before a reload). */
  settle(op, how, value) {
    const waiter = this.waiters.get(op.seq);
    if (!waiter) return false;
    this.waiters.delete(op.seq);
    waiter[how](value);
    return true;
  }
}
