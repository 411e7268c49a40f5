// When the page talks to the server: at once on start, then every 10 s while the page is
// visible, at once when it comes back into view or gets focus, and at once on reconnecting.
// Failures back off, doubling from 20 s up to 5 min (or longer if the server's Retry-After
// asks), so a down or throttling API sees a handful of requests a minute from each tab, not
// a stream; Retry tries at once.

export const DEFAULTS = { interval: 10_000, maxBackoff: 300_000 };

/** Milliseconds to wait after the n-th failure in a row (n >= 1). */
export function retryDelay(failures, { interval, maxBackoff } = DEFAULTS, retryAfterSeconds = 0) {
  const doubled = interval * 2 ** Math.min(failures, 30);
  return Math.min(maxBackoff, Math.max(doubled, retryAfterSeconds * 1000));
}

/**
 * Shorter intervals for tests and development, from the page's address:
 * `?syncInterval=<ms>&syncMaxBackoff=<ms>`. Only on a loopback host (`make run`, the tests):
 * a deployed page always uses the defaults, whatever a link says.
 */
export function settingsFrom(url) {
  const settings = { ...DEFAULTS };
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) return settings;
  for (const [name, key] of [["syncInterval", "interval"], ["syncMaxBackoff", "maxBackoff"]]) {
    const value = Number(url.searchParams.get(name));
    if (Number.isFinite(value) && value >= 100) settings[key] = value;
  }
  return settings;
}

export class Scheduler {
  /**
   * @param {(pull: boolean) => Promise<void>} work sends queued writes, then (if `pull`) asks
   *   what changed
   * @param {(state: {state: string, error?: Error, failures: number}) => void} report
   */
  constructor(work, settings, report) {
    this.work = work;
    this.settings = settings;
    this.report = report;
    this.failures = 0;
    this.timer = 0;
    this.running = null;
    this.again = false; // writes were made while a run was under way
    this.stopped = true;
    this.lastRun = -Infinity;
    this.retryAfter = 0;
    this.onVisible = () => {
      if (document.visibilityState === "visible") this.wake();
      else clearTimeout(this.timer);
    };
    this.wake = () => {
      // Back in view or focused: ask now, unless failing (then the backoff stands) or just asked.
      if (this.failures === 0 && performance.now() - this.lastRun > 1000) this.run();
      else if (!this.timer && !this.running) this.schedule();
    };
    this.onOnline = () => this.run();
    this.onOffline = () => this.report({ state: "offline", failures: this.failures });
  }

  start() {
    this.stopped = false;
    document.addEventListener("visibilitychange", this.onVisible);
    window.addEventListener("focus", this.wake);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    return this.run();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    document.removeEventListener("visibilitychange", this.onVisible);
    window.removeEventListener("focus", this.wake);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
  }

  /** Send what the user just did (no list request); after the current run if one is going. */
  push() {
    if (this.running) this.again = true;
    else this.run(false);
  }

  /** Retry now (the Retry button, reconnecting): the backoff is over. */
  run(pull = true) {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again ||= !pull;
      return this.running;
    }
    clearTimeout(this.timer);
    this.timer = 0;
    if (pull) this.lastRun = performance.now();
    this.running = this.cycle(pull);
    return this.running;
  }

  async cycle(pull) {
    let ok = false;
    this.report({ state: "busy", failures: this.failures });
    try {
      await this.work(pull);
      ok = true;
      this.failures = 0;
      this.report({ state: "ok", failures: 0 });
    } catch (error) {
      // A write that fails while already failing does not stretch the backoff further.
      if (pull || this.failures === 0) this.failures += 1;
      this.retryAfter = error?.retryAfter || 0;
      const state = navigator.onLine === false ? "offline" : "failing";
      this.report({ state, error, failures: this.failures });
    } finally {
      this.running = null;
      if (ok && this.again && !this.stopped) {
        this.again = false;
        this.run(false);
      } else {
        this.again = false;
        this.schedule();
      }
    }
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.stopped || document.visibilityState === "hidden") return;
    // Healthy: the next pull comes `interval` after the last one (writes in between do not
    // push it back); failing: after the backoff.
    const delay = this.failures === 0
      ? Math.max(0, this.lastRun + this.settings.interval - performance.now())
      : retryDelay(this.failures, this.settings, this.retryAfter);
    this.timer = setTimeout(() => {
      this.timer = 0;
      this.run();
    }, delay);
  }
}
