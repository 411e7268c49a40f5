// The Task API client: bearer token, ETag/If-Match, Idempotency-Key, RFC 9457 problems.

/** A non-2xx answer (status 0: no answer at all); `problem` is the RFC 9457 document if sent. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter = 0) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter; // seconds, from a 429 or 503's Retry-After
  }

  /** Per-field errors ({field, detail}) of a validation problem. */
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }

  /** Worth sending again later unchanged: no answer, a busy or failing server, a key in use. */
  get transient() {
    return this.status === 0 || [408, 409, 425, 429].includes(this.status) || this.status >= 500;
  }
}

export const offline = () => new ApiError(0, { title: "Offline", detail: "This device is offline." });

export class Api {
  /**
   * @param {string} baseUrl the API's URL ("" for the same origin)
   * @param {() => string | null} token the current ID token
   * @param {() => void} onUnauthorized called on a 401 (the token expired or was refused)
   */
  constructor(baseUrl, token, onUnauthorized) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.token = token;
    this.onUnauthorized = onUnauthorized;
    this.todos = "/todos"; // the default list's tasks
  }

  /** The same client, its task calls on one list (`/todos` is the default list's, unchanged). */
  forList(listId) {
    return Object.assign(Object.create(this), {
      todos: listId === "default" ? "/todos" : `/lists/${encodeURIComponent(listId)}/todos`,
    });
  }

  async request(method, path, { body, headers = {}, contentType = "application/json" } = {}) {
    // The browser knows when it has no network at all: no request then.
    if (navigator.onLine === false) throw offline();
    const init = { method, headers: { Accept: "application/json", ...headers } };
    const token = this.token();
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers["Content-Type"] = contentType;
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.url(path), init);
    } catch {
      throw new ApiError(0, { title: "Network error", detail: "The server could not be reached." });
    }
    const text = await response.text().catch(() => "");
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      throw new ApiError(response.status, data, Number(response.headers.get("Retry-After")) || 0);
    }
    return { status: response.status, headers: response.headers, data };
  }

  url(path) {
    return /^https?:/.test(path) ? path : `${this.baseUrl}${path}`;
  }

  /** One page of a list: {tasks, cursor, syncToken}; cursor is null on the last page. */
  async page(params) {
    const query = new URLSearchParams({ limit: "100" });
    for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
    const { headers, data } = await this.request("GET", `${this.todos}?${query}`);
    return {
      tasks: data,
      cursor: headers.get("X-Next-Cursor") || nextFromLink(headers.get("Link")),
      syncToken: headers.get("X-Sync-Token"),
    };
  }

  async get(taskId) {
    return (await this.request("GET", `${this.todos}/${encodeURIComponent(taskId)}`)).data;
  }

  /** Create; a retry with the same key (a double submit, a lost answer) creates nothing more. */
  async create(fields, idempotencyKey) {
    const { data } = await this.request("POST", this.todos, {
      body: fields, headers: { "Idempotency-Key": idempotencyKey },
    });
    return data;
  }

  /** JSON merge patch, only if the task is still at `version` (else ApiError 412). */
  async patch(taskId, patch, version) {
    const { data } = await this.request("PATCH", `${this.todos}/${encodeURIComponent(taskId)}`, {
      body: patch, contentType: "application/merge-patch+json",
      headers: ifMatch(version),
    });
    return data;
  }

  async remove(taskId, version) {
    await this.request("DELETE", `${this.todos}/${encodeURIComponent(taskId)}`, { headers: ifMatch(version) });
  }

  /** Delete every task of a status; the server clears a bounded number per call and says `more`. */
  async clear(status) {
    let deleted = 0;
    let cursor = "";
    for (let round = 0; round < 100; round += 1) {
      const query = new URLSearchParams({ status });
      if (cursor) query.set("cursor", cursor);
      const { data } = await this.request("DELETE", `${this.todos}?${query}`);
      deleted += data?.deleted ?? 0;
      if (!data?.more) break;
      cursor = data.cursor || "";
    }
    return deleted;
  }
}

const ifMatch = (version) => (version == null ? {} : { "If-Match": `"${version}"` });

function nextFromLink(link) {
  // Link: <https://…/todos?cursor=…>; rel="next"
  const match = link && /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  if (!match) return null;
  return new URL(match[1], location.href).searchParams.get("cursor");
}
