// The editor of one task, opened inside its item. Each field is one entry of FIELDS: how it is
// shown, how it reads back in the API's terms, and what the task says now; the merge patch
// holds the fields that differ. Fields the API gains later (reminders, an assignee) are more
// entries here. `read(part, task, parts)` may look at the other fields (a time zone is sent
// with a due date).
//
// TodoMVC's rules: Enter or Save saves, Escape cancels, and moving focus out of the editor
// (clicking elsewhere, tabbing past it) saves and closes it.

import { ChecklistEditor } from "./checklist.js";
import { clearErrors } from "./feedback.js";
import { people, who } from "./list.js";
import { DueEditor, RemindersEditor, RepeatEditor, ZoneEditor } from "./when.js";

export const PRIORITIES = ["low", "normal", "high", "urgent"];

const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);
const orNull = (value) => (value === "" ? null : value);

export const FIELDS = [
  {
    name: "title", label: "Title", words: "title",
    make: (task) => el("input", { value: task.title, maxLength: 200, autocomplete: "off" }),
    read: (control) => control.value,
    now: (task) => task.title,
  },
  {
    name: "description", label: "Description", words: "description",
    make: (task) => el("textarea", { value: task.description || "", maxLength: 4000 }),
    read: (control) => orNull(control.value),
    now: (task) => task.description || null,
  },
  {
    name: "priority", label: "Priority", words: "priority", row: "when",
    make: (task) => {
      const select = el("select");
      for (const p of PRIORITIES) select.append(new Option(p[0].toUpperCase() + p.slice(1), p, false, p === task.priority));
      return select;
    },
    read: (control) => control.value,
    now: (task) => task.priority,
  },
  {
    // Only in a shared list: a member of it, or nobody.
    name: "assigneeId", label: "Assigned to", words: "assignee", row: "when", skip: () => !people.shared,
    make: (task) => {
      const select = el("select");
      const ids = people.members.map((m) => m.userId);
      if (task.assigneeId && !ids.includes(task.assigneeId)) ids.push(task.assigneeId);
      select.append(new Option("Nobody", ""), ...ids.map((id) => new Option(who(id), id, false, id === task.assigneeId)));
      return select;
    },
    read: (control) => orNull(control.value),
    now: (task) => task.assigneeId || null,
  },
  {
    name: "dueDate", words: "due date", own: true, // date, and a time if it has one
    make: (task, id) => new DueEditor(task, id),
    read: (editor) => editor.value,
    now: DueEditor.now,
  },
  {
    name: "timeZone", words: "time zone", own: true,
    make: (task, id) => new ZoneEditor(task, id),
    read: (editor, task, parts) => editor.read(task, parts),
    now: (task) => task.timeZone || null,
  },
  {
    name: "recurrence", words: "repeat rule", own: true,
    make: (task, id) => new RepeatEditor(task, id),
    read: (editor) => editor.value,
    now: RepeatEditor.now,
  },
  {
    name: "reminders", words: "reminders", own: true,
    make: (task, id) => new RemindersEditor(task, id),
    read: (editor) => editor.value,
    now: RemindersEditor.now,
  },
  {
    name: "tags", label: "Tags (comma-separated)", words: "tags",
    make: (task) => el("input", { value: (task.tags || []).join(", "), autocomplete: "off" }),
    read: (control) => control.value.split(",").map((t) => t.trim()).filter(Boolean),
    now: (task) => task.tags || [],
  },
  {
    name: "checklist", words: "checklist", own: true, // a fieldset with its own legend and error
    make: (task, id) => new ChecklistEditor(task.checklist || [], id),
    read: (editor) => editor.value,
    now: (task) => (task.checklist || []).map(({ title, done }) => ({ title, done: !!done })),
  },
];

export const FIELD_WORDS = Object.fromEntries(FIELDS.map((f) => [f.name, f.words]));

let made = 0;

export class Editor {
  /**
   * @param {HTMLElement} item the task's list item
   * @param {object} task as the user sees it
   * @param {(editor: Editor, how: {byBlur: boolean}) => void} onSave
   */
  constructor(item, task, onSave) {
    made += 1;
    this.item = item;
    this.onSave = onSave;
    this.closed = false;
    this.form = el("form", { className: "edit-form", noValidate: true });
    this.form.setAttribute("aria-label", `Edit ${task.title}`);
    this.formError = el("p", { className: "form-error", hidden: true });
    this.formError.setAttribute("role", "alert");
    this.form.append(this.formError);
    this.controls = {}; // API field name -> the control an error about it is shown beside
    this.parts = {}; // API field name -> what `read` reads
    const rows = {};
    this.fields = FIELDS.filter((spec) => !spec.skip?.());
    for (const spec of this.fields) {
      const id = `${spec.name}-${made}`;
      const part = spec.make(task, id);
      this.parts[spec.name] = part;
      let wrap;
      if (spec.own) {
        wrap = part.element;
        // Read when an error is shown: the repeat picker's control depends on its mode.
        Object.defineProperty(this.controls, spec.name, { get: () => part.control, enumerable: true });
      } else {
        wrap = field(id, spec.label, part);
        this.controls[spec.name] = part;
      }
      if (spec.row) {
        if (!rows[spec.row]) {
          rows[spec.row] = el("div", { className: "row" });
          this.form.append(rows[spec.row]);
        }
        rows[spec.row].append(wrap);
      } else {
        this.form.append(wrap);
      }
    }
    for (const part of Object.values(this.parts)) part.watch?.(this.parts); // one field follows another
    const actions = el("div", { className: "actions" });
    const cancel = el("button", { type: "button", className: "quiet", textContent: "Cancel" });
    actions.append(el("button", { type: "submit", textContent: "Save" }), cancel);
    this.form.append(actions);

    cancel.addEventListener("click", () => this.close({ focus: true }));
    this.form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close({ focus: true });
      }
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.onSave(this, { byBlur: false });
    });
    this.form.addEventListener("focusout", () => {
      // After the focus has landed: still in the editor (or the window lost focus, a tab
      // switch) is no reason to save.
      setTimeout(() => {
        if (this.closed || this.form.contains(document.activeElement) || !document.hasFocus()) return;
        this.onSave(this, { byBlur: true });
      }, 0);
    });
    this.editButton.setAttribute("aria-expanded", "true");
    item.append(this.form);
    this.controls.title.focus();
  }

  get editButton() {
    return this.item.querySelector(".edit");
  }

  /** The merge patch from `task` to what the form says: changed fields only, null clears. */
  changes(task) {
    const patch = {};
    for (const spec of this.fields) {
      const value = spec.read(this.parts[spec.name], task, this.parts);
      if (JSON.stringify(value) !== JSON.stringify(spec.now(task))) patch[spec.name] = value;
    }
    return patch;
  }

  clearErrors() {
    clearErrors(this.form);
  }

  close({ focus }) {
    if (this.closed) return;
    this.closed = true;
    const hadFocus = this.form.contains(document.activeElement);
    this.form.remove();
    this.editButton.removeAttribute("aria-expanded");
    if (focus || hadFocus) this.editButton.focus();
  }
}

function field(id, labelText, control) {
  const wrap = el("div", { className: "field" });
  control.id = id;
  const error = el("p", { className: "field-error", id: `${id}-error`, hidden: true });
  control.setAttribute("aria-describedby", error.id);
  wrap.append(el("label", { htmlFor: id, textContent: labelText }), control, error);
  return wrap;
}
