// The editor's time fields (the API's `dueDate`, `timeZone` and `recurrence`) and how a card
// says them. A due date is a date (all day) or a date and a wall-clock time in the task's time
// zone, which is the browser's unless the user picks another. Each `now` is what the form
// shows for the task untouched, so opening and saving an editor never rewrites a field.

const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);

export const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const PRESETS = { daily: "FREQ=DAILY", weekdays: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", monthly: "FREQ=MONTHLY", yearly: "FREQ=YEARLY" };
const MODES = [["", "Does not repeat"], ["daily", "Daily"], ["weekdays", "Every weekday"], ["weekly", "Weekly on…"],
  ["monthly", "Monthly"], ["yearly", "Yearly"], ["custom", "Custom rule (RRULE)"]];
const SPOKEN = { daily: "daily", weekdays: "every weekday", weekly: "weekly", monthly: "monthly", yearly: "yearly", custom: "on a custom rule" };

function labelled(id, text, control) {
  const wrap = el("div", { className: "field" });
  control.id = id;
  wrap.append(el("label", { htmlFor: id, textContent: text }), control);
  return wrap;
}

function errorFor(id, ...controls) {
  const error = el("p", { className: "field-error", id: `${id}-error`, hidden: true });
  error.setAttribute("role", "alert");
  for (const control of controls) control.setAttribute("aria-describedby", error.id);
  return error;
}

/** A due date as the form shows it: [date, time] ("" for none). */
const split = (due) => [(due || "").slice(0, 10), (due || "").slice(11, 16)];
const join = (date, time) => (date ? (time ? `${date}T${time}` : date) : null);

/** Due date and time: a date alone is all day; a time needs a date. */
export class DueEditor {
  constructor(task, id) {
    const [date, time] = split(task.dueDate);
    this.date = el("input", { type: "date", value: date });
    this.time = el("input", { type: "time", value: time });
    this.element = el("div", { className: "row due" });
    const error = errorFor(id, this.date, this.time);
    this.element.append(labelled(id, "Due date", this.date), labelled(`${id}-time`, "Due time (optional)", this.time), error);
    this.control = this.date;
  }

  get value() {
    return join(this.date.value, this.time.value);
  }

  static now(task) {
    return join(...split(task.dueDate));
  }
}

/** The zone the due time is in: the task's, else the browser's. */
export class ZoneEditor {
  constructor(task, id) {
    const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    const chosen = task.timeZone || BROWSER_ZONE;
    this.control = el("select");
    for (const zone of new Set([chosen, ...zones, "UTC"].sort())) this.control.append(new Option(zone, zone, false, zone === chosen));
    this.element = labelled(id, "Time zone", this.control);
    this.element.append(errorFor(id, this.control));
  }

  /** Sent with a due date only: a task without one keeps whatever zone it has. */
  read(task, parts) {
    return parts.dueDate.value === null ? task.timeZone || null : this.control.value;
  }
}

/** The repeat picker: presets, weekly on chosen days, or a free RRULE. */
export class RepeatEditor {
  constructor(task, id) {
    const { mode, days, text } = toForm(task.recurrence);
    this.mode = el("select");
    for (const [value, words] of MODES) this.mode.append(new Option(words, value, false, value === mode));
    this.days = el("fieldset", { className: "days" });
    this.days.append(el("legend", { textContent: "On days" }));
    this.boxes = DAYS.map((day, n) => {
      const box = el("input", { type: "checkbox", id: `${id}-${day}`, value: day, checked: days.includes(day) });
      const label = el("label", { htmlFor: box.id, textContent: DAY_NAMES[n].slice(0, 3) });
      label.title = DAY_NAMES[n];
      box.setAttribute("aria-label", DAY_NAMES[n]);
      this.days.append(el("span", { className: "day" }));
      this.days.lastChild.append(box, label);
      return box;
    });
    this.rule = el("input", { value: text, maxLength: 500, autocomplete: "off", spellcheck: false, placeholder: "FREQ=MONTHLY;BYDAY=-1FR" });
    this.ruleField = labelled(`${id}-rule`, "Rule (RFC 5545 RRULE)", this.rule);
    this.element = el("div", { className: "repeat" });
    this.element.append(labelled(id, "Repeat", this.mode), this.days, this.ruleField, errorFor(id, this.mode, this.rule));
    this.mode.addEventListener("change", () => this.show());
    this.show();
  }

  show() {
    this.days.hidden = this.mode.value !== "weekly";
    this.ruleField.hidden = this.mode.value !== "custom";
  }

  /** Where an error about the rule shows: the rule being typed, else the picker. */
  get control() {
    return this.mode.value === "custom" ? this.rule : this.mode;
  }

  get value() {
    return fromForm(this.mode.value, this.boxes.filter((b) => b.checked).map((b) => b.value), this.rule.value);
  }

  static now(task) {
    const { mode, days, text } = toForm(task.recurrence);
    return fromForm(mode, days, text);
  }
}

function toForm(rule) {
  if (!rule) return { mode: "", days: [], text: "" };
  const canonical = rule.toUpperCase().replace(/^RRULE:/, "");
  for (const [mode, preset] of Object.entries(PRESETS)) if (canonical === preset) return { mode, days: [], text: rule };
  const weekly = /^FREQ=WEEKLY(?:;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*))?$/.exec(canonical);
  if (weekly) return { mode: "weekly", days: weekly[1] ? weekly[1].split(",") : [], text: rule };
  return { mode: "custom", days: [], text: rule };
}

function fromForm(mode, days, text) {
  if (mode === "custom") return text.trim() || null;
  if (mode === "weekly") {
    const chosen = DAYS.filter((d) => days.includes(d));
    return chosen.length ? `FREQ=WEEKLY;BYDAY=${chosen.join(",")}` : "FREQ=WEEKLY";
  }
  return PRESETS[mode] || null;
}

/** How a task repeats, in words ("" if it does not). */
export function repeatWords(rule) {
  if (!rule) return "";
  const { mode, days } = toForm(rule);
  if (mode === "weekly" && days.length) return `repeats weekly on ${DAYS.filter((d) => days.includes(d)).map((d) => DAY_NAMES[DAYS.indexOf(d)].slice(0, 3)).join(", ")}`;
  return `repeats ${SPOKEN[mode]}`;
}

/** When a task is due, in the user's own zone: a date alone is a whole day, shown as such. */
export function dueWords(task) {
  const due = task.dueDate;
  if (!due) return "";
  if (due.length === 10) {
    const day = new Date(`${due}T00:00:00Z`);
    return Number.isNaN(day.getTime()) ? due : day.toLocaleDateString(undefined, { dateStyle: "medium", timeZone: "UTC" });
  }
  // dueAt is the instant; a task made on this device and not yet sent has none.
  const moment = new Date(task.dueAt || "");
  if (Number.isNaN(moment.getTime())) return due.replace("T", " ");
  return moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// Reminders (docs/EVENTS.md): up to 5 of {"before": "PT15M"} (back from the due moment: they
// need a due date) or {"at": "<date-time with offset>"}: 15 min, 1 h, 1 day before (and any
// other span set elsewhere), and moments in the browser's zone, sent with its offset then.
const BEFORE = ["PT15M", "PT1H", "P1D"];
const UNITS = { W: "week", D: "day", H: "hour", M: "minute", S: "second" }; // no months: M is minutes
const pad = (n) => String(n).padStart(2, "0");
const ordered = (befores) => [...new Set([...BEFORE, ...befores])].filter((b) => befores.includes(b));

export function reminderWords(r) {
  if (r.at) return `at ${new Date(r.at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
  return `${[...r.before.matchAll(/(\d+)(\D)/g)].map(([, n, u]) => `${+n} ${UNITS[u]}${+n === 1 ? "" : "s"}`).join(" ")} before`;
}

export class RemindersEditor {
  constructor(task, id) {
    const now = RemindersEditor.now(task);
    this.id = id;
    this.element = el("fieldset", { className: "checklist" });
    this.hint = el("p", { className: "muted", textContent: "Reminders before need a due date." });
    this.ats = el("div");
    const add = el("button", { type: "button", className: "quiet", textContent: "Add a moment" });
    this.element.append(el("legend", { textContent: "Reminders" }));
    this.boxes = ordered([...BEFORE, ...now.map((r) => r.before).filter(Boolean)]).map((before, n) => {
      const box = el("input", { type: "checkbox", id: `${id}-${n}`, value: before, checked: now.some((r) => r.before === before) });
      this.element.append(el("span", { className: "day" }));
      this.element.lastChild.append(box, el("label", { htmlFor: box.id, textContent: reminderWords({ before }) }));
      return box;
    });
    this.element.append(this.hint, this.ats, add, errorFor(id, ...this.boxes));
    for (const r of now) if (r.at) this.moment(r.at);
    this.control = this.boxes[0]; // where a save's error about reminders is shown, named:
    this.control.dataset.label = "Reminders";
    add.addEventListener("click", () => this.moment().focus());
  }

  /** A moment's row: a datetime-local input (the browser's zone), and Remove. */
  moment(at) {
    const row = el("div", { className: "inline" });
    const input = el("input", { type: "datetime-local", id: `${this.id}-at${this.ats.children.length}` });
    if (at) {
      const d = new Date(at);
      input.value = new Date(d - d.getTimezoneOffset() * 6e4).toISOString().slice(0, 16);
      Object.assign(input.dataset, { at, shown: input.value }); // untouched: sent as it was
    }
    const remove = el("button", { type: "button", className: "quiet", textContent: "Remove", ariaLabel: "Remove this reminder" });
    remove.addEventListener("click", () => {
      row.remove();
      this.element.querySelector(":scope > button").focus(); // Add a moment
    });
    row.append(el("label", { htmlFor: input.id, textContent: "Remind at", className: "sr-only" }), input, remove);
    this.ats.append(row);
    return input;
  }

  /** Without a due date, no before reminder can be added. */
  watch(parts) {
    const sync = () => {
      const none = !parts.dueDate.value;
      for (const box of this.boxes) box.disabled = none && !box.checked;
      this.hint.hidden = !none;
    };
    parts.dueDate.element.addEventListener("input", sync);
    sync();
  }

  get value() {
    const ats = [...this.ats.querySelectorAll("input")].filter((i) => i.value).map((i) => {
      if (i.value === i.dataset.shown) return { at: i.dataset.at };
      const offset = -new Date(i.value).getTimezoneOffset();
      const a = Math.abs(offset);
      return { at: `${i.value}${offset < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}:${pad(a % 60)}` };
    });
    return [...this.boxes.filter((b) => b.checked).map((b) => ({ before: b.value })), ...ats];
  }

  /** In the editor's order (befores, then moments), so an untouched editor changes nothing. */
  static now(task) {
    const all = task.reminders || [];
    return [...ordered(all.map((r) => r.before).filter(Boolean)).map((before) => ({ before })), ...all.filter((r) => r.at)];
  }
}
