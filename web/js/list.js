// The task list on screen: one item per task, made once and then brought up to date in place,
// so focus, an open editor or a conflict inside an item survive every refresh. When the item
// holding focus leaves (deleted, completed under "Active", removed by a sync), focus moves to
// the item now in its place, never to the page body.

import { dueWords, RemindersEditor, reminderWords, repeatWords } from "./when.js";

export const STATUS_WORDS = { pending: "To do", in_progress: "In progress", completed: "Done" };

let made = 0;

/** The user; whether the list shown is shared (cards say who added, changed, is assigned),
 * its members, and whether the user may only read it (a viewer). */
export const people = { me: null, shared: false, members: [], readonly: false };
/** A member as the page names them: no user directory is exposed, so by user id; "you". */
export const who = (userId) => (userId === people.me ? "you" : userId);

export class TaskList {
  /** @param {HTMLElement} fallback where focus goes when the list is left empty */
  constructor(ul, template, fallback) {
    this.ul = ul;
    this.template = template;
    this.fallback = fallback;
    this.items = new Map(); // taskId -> <li>
  }

  itemOf(taskId) {
    return this.items.get(taskId) || null;
  }

  clear() {
    this.ul.replaceChildren();
    this.items.clear();
  }

  /** A task created here got its server id: same item, new key. */
  rename(from, to) {
    const li = this.items.get(from);
    if (!li) return;
    this.items.delete(from);
    this.items.set(to, li);
    li.dataset.taskId = to;
  }

  /** Show `tasks` (in order); `pending(taskId)` says which have unsent changes. */
  render(tasks, pending) {
    const active = document.activeElement;
    const children = [...this.ul.children];
    const wanted = new Set(tasks.map((t) => t.taskId));
    let focusAt = -1;
    for (const [taskId, li] of this.items) {
      if (wanted.has(taskId)) continue;
      if (li.contains(active)) focusAt = children.indexOf(li);
      li.remove();
      this.items.delete(taskId);
    }
    let next = this.ul.firstElementChild;
    for (const task of tasks) {
      const li = this.items.get(task.taskId) || this.make(task.taskId);
      update(li, task, pending(task.taskId));
      if (li === next) next = next.nextElementSibling;
      else this.ul.insertBefore(li, next);
    }
    if (active?.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
    if (focusAt >= 0) {
      const here = this.ul.children[Math.min(focusAt, this.ul.children.length - 1)];
      (here?.querySelector(".done") || this.fallback).focus();
    }
  }

  make(taskId) {
    const li = this.template.content.firstElementChild.cloneNode(true);
    made += 1;
    li.dataset.taskId = taskId;
    const title = li.querySelector(".title");
    title.id = `task-title-${made}`;
    li.querySelector(".done").setAttribute("aria-labelledby", title.id);
    this.items.set(taskId, li);
    return li;
  }
}

function update(li, task, pending) {
  const signature = JSON.stringify([task, pending, people.shared, people.readonly]);
  if (li.dataset.signature === signature) return;
  li.dataset.signature = signature;
  const done = task.status === "completed";
  li.classList.toggle("completed", done);
  li.classList.toggle("pending", pending);
  li.querySelector(".done").checked = done;
  li.querySelector(".done").disabled = people.readonly;
  li.querySelector(".title").textContent = task.title;
  li.querySelector(".edit").setAttribute("aria-label", `Edit ${task.title}`);
  li.querySelector(".delete").setAttribute("aria-label", `Delete ${task.title}`);
  li.querySelector(".details").replaceChildren(...details(task, pending));
}

function badge(text, spoken) {
  const span = Object.assign(document.createElement("span"), { className: "badge" });
  if (!spoken) {
    span.textContent = text;
    return span;
  }
  // "2/5" reads badly: screen readers get the words instead.
  span.append(
    Object.assign(document.createElement("span"), { textContent: text, ariaHidden: "true" }),
    Object.assign(document.createElement("span"), { className: "sr-only", textContent: spoken }),
  );
  return span;
}

function details(task, pending) {
  const parts = [];
  if (pending) parts.push(Object.assign(badge("Not yet saved"), { className: "badge pending-badge" }));
  if (task.status === "in_progress") parts.push(badge(STATUS_WORDS.in_progress));
  if (task.priority && task.priority !== "normal") parts.push(badge(`${task.priority} priority`));
  if (task.dueDate) parts.push(badge(`due ${dueWords(task)}`));
  if (task.recurrence) parts.push(badge(repeatWords(task.recurrence)));
  const [first, ...more] = RemindersEditor.now(task);
  if (first) {
    const words = reminderWords(first) + (more.length ? ` +${more.length}` : "");
    parts.push(badge(`🔔 ${words}`, `reminder ${words.replace("+", "and ")}${more.length ? " more" : ""}`));
  }
  const checklist = task.checklist || [];
  if (checklist.length) {
    const done = checklist.filter((item) => item.done).length;
    parts.push(badge(`☑ ${done}/${checklist.length}`, `checklist ${done} of ${checklist.length} done`));
  }
  for (const tag of task.tags || []) parts.push(badge(`#${tag}`));
  if (people.shared) {
    if (task.assigneeId) parts.push(badge(`assigned to ${who(task.assigneeId)}`));
    const by = task.updatedBy || task.createdBy;
    if (by) parts.push(badge(`${task.version > 1 ? "changed" : "added"} by ${who(by)}`));
  }
  if (task.description) parts.push(document.createTextNode(task.description));
  return parts;
}
