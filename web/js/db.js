// The device's storage (IndexedDB): the last known list of each user and the writes not yet
// sent. Where IndexedDB cannot be opened (a locked-down browser), a copy in memory stands in:
// the app still works, it just forgets on reload.

const NAME = "todo-app";
const VERSION = 1;
export const REPLICAS = "replicas"; // {user, token, tasks: [...]}, one record per user
export const QUEUE = "queue"; // {seq, user, owner, kind, …}, in the order they were made

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function openDb() {
  try {
    const open = indexedDB.open(NAME, VERSION);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore(REPLICAS, { keyPath: "user" });
      db.createObjectStore(QUEUE, { keyPath: "seq", autoIncrement: true }).createIndex("user", "user");
    };
    return new Db(await request(open));
  } catch {
    return new MemoryDb();
  }
}

class Db {
  constructor(db) {
    this.db = db;
  }

  store(name, mode = "readonly") {
    return this.db.transaction(name, mode).objectStore(name);
  }

  get(name, key) {
    return request(this.store(name).get(key));
  }

  /** Resolves with the key (a new `seq` for a queued write). */
  put(name, value) {
    return request(this.store(name, "readwrite").put(value));
  }

  delete(name, key) {
    return request(this.store(name, "readwrite").delete(key));
  }

  /** Every record of a user, in key order. */
  byUser(name, user) {
    return request(this.store(name).index("user").getAll(user));
  }
}

class MemoryDb {
  constructor() {
    this.stores = { [REPLICAS]: new Map(), [QUEUE]: new Map() };
    this.seq = 0;
  }

  async get(name, key) {
    return structuredClone(this.stores[name].get(key));
  }

  async put(name, value) {
    const key = name === QUEUE ? (value.seq ??= (this.seq += 1)) : value.user;
    this.stores[name].set(key, structuredClone(value));
    return key;
  }

  async delete(name, key) {
    for (const k of [...this.stores[name].keys()]) if (k === key || key.includes?.(k)) this.stores[name].delete(k);
  }

  async byUser(name, user) {
    return [...this.stores[name].values()].filter((r) => r.user === user).map((r) => structuredClone(r));
  }
}
