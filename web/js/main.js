// The screen: sign-in, the task list and its filters, adding, editing, conflicts.

import { Api, ApiError } from "./api.js";
import { Session, SignInError } from "./auth.js";
import { filterFromHash, shows } from "./filters.js";
import { Pager } from "./tasks.js";

const $ = (id) => document.getElementById(id);
const PRIORITIES = ["low", "normal", "high", "urgent"];
const FIELD_WORDS = { title: "title", description: "description", dueDate: "due date", priority: "priority", tags: "tags" };
const STATUS_WORDS = { pending: "To do", in_progress: "In progress", completed: "Done" };

let api;
let session;
const view = {
  filter: filterFromHash(location.hash),
  pager: null,
  generation: 0, // bumps on every reload so a late page of an old view is dropped
  loading: false,
  tasks: new Map(), // taskId -> task as last seen
};

// ---- start ---------------------------------------------------------------------------

async function start() {
  let config;
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    config = await response.json();
  } catch {
    $("loading").textContent = "The app's configuration could not be loaded.";
    return;
  }
  session = new Session(config.signIn || { mode: "local" });
  api = new Api(config.apiUrl || "", () => session.token(), () => signedOut("Your session ended; sign in again."));
  wire();
  if (session.mode === "cognito") {
    try {
      await session.finishHostedSignIn(new URL(location.href));
    } catch (error) {
      $("loading").hidden = true;
      signedOut(error.message);
      return;
    }
  }
  $("loading").hidden = true;
  if (session.token()) signedIn();
  else signedOut();
}

function wire() {
  $("dev-sign-in").addEventListener("submit", onDevSignIn);
  $("hosted-sign-in-button").addEventListener("click", () => session.startHostedSignIn());
  $("sign-out").addEventListener("click", () => {
    if (!session.signOut()) signedOut();
  });
  $("new-task").addEventListener("submit", onAdd);
  $("new-title").addEventListener("input", () => clearErrors($("new-task")));
  for (const button of document.querySelectorAll("[data-filter]")) {
    button.addEventListener("click", () => {
      location.hash = `#/${button.dataset.filter}`;
    });
  }
  window.addEventListener("hashchange", () => {
    const filter = filterFromHash(location.hash);
    if (filter !== view.filter) {
      view.filter = filter;
      reload();
    }
  });
  $("clear-completed").addEventListener("click", onClearCompleted);
  $("load-more").addEventListener("click", loadMore);
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !$("load-more").hidden) loadMore();
  }).observe($("more-sentinel"));
}

function announce(text) {
  $("status").textContent = text;
}

// ---- sign-in -------------------------------------------------------------------------

function signedOut(message = "") {
  session.forget();
  $("signed-in").hidden = true;
  $("who").hidden = true;
  $("signed-out").hidden = false;
  $("dev-sign-in").hidden = session.mode !== "local";
  $("hosted-sign-in").hidden = session.mode === "local";
  const error = $("sign-in-error");
  error.textContent = message;
  error.hidden = !message;
}

async function onDevSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const input = $("user-name");
  const name = input.value.trim();
  if (!name) {
    showFieldError(input, "Type a user name.");
    input.focus();
    return;
  }
  try {
    await session.signInLocally(name);
  } catch (error) {
    if (error instanceof SignInError && error.field) {
      showFieldError(input, error.message);
    } else {
      $("sign-in-error").textContent = error.message;
      $("sign-in-error").hidden = false;
    }
    input.focus();
    return;
  }
  input.value = "";
  signedIn();
}

function signedIn() {
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = `Signed in as ${session.user()}`;
  $("sign-in-error").hidden = true;
  reload();
  $("new-title").focus();
}

// ---- the list ------------------------------------------------------------------------

function reload() {
  view.generation += 1;
  view.pager = new Pager(api, view.filter);
  view.tasks.clear();
  view.loading = false;
  $("tasks").replaceChildren();
  for (const button of document.querySelectorAll("[data-filter]")) {
    button.setAttribute("aria-pressed", String(button.dataset.filter === view.filter));
  }
  loadMore();
}

async function loadMore() {
  if (view.loading || !view.pager || view.pager.exhausted) return;
  const generation = view.generation;
  view.loading = true;
  $("tasks").setAttribute("aria-busy", "true");
  try {
    const tasks = await view.pager.next();
    if (generation !== view.generation) return;
    for (const task of tasks) {
      if (!view.tasks.has(task.taskId)) $("tasks").append(renderTask(task));
    }
  } catch (error) {
    if (generation === view.generation) announce(`Could not load tasks: ${error.message}`);
  } finally {
    if (generation === view.generation) {
      view.loading = false;
      $("tasks").setAttribute("aria-busy", "false");
      $("load-more").hidden = view.pager.exhausted;
      updateEmpty();
      // A tall screen may still show the end of the list: the observer only fires on a change.
      if (!view.pager.exhausted && inView($("more-sentinel"))) setTimeout(loadMore, 0);
    }
  }
}

function inView(element) {
  const box = element.getBoundingClientRect();
  return box.top < window.innerHeight && box.bottom >= 0;
}

function updateEmpty() {
  $("empty").hidden = view.tasks.size > 0 || !view.pager?.exhausted;
}

function itemOf(taskId) {
  return document.querySelector(`li[data-task-id="${CSS.escape(taskId)}"]`);
}

/** The list item of a task (made, or brought up to date in place). */
function renderTask(task, item = itemOf(task.taskId)) {
  view.tasks.set(task.taskId, task);
  if (!item) {
    item = $("task-template").content.firstElementChild.cloneNode(true);
    item.dataset.taskId = task.taskId;
    const checkbox = item.querySelector(".done");
    checkbox.id = `done-${task.taskId}`;
    item.querySelector(".title").htmlFor = checkbox.id;
    checkbox.addEventListener("change", () => onToggle(task.taskId, checkbox));
    item.querySelector(".edit").addEventListener("click", () => openEditor(task.taskId));
    item.querySelector(".delete").addEventListener("click", () => onDelete(task.taskId));
  }
  const done = task.status === "completed";
  item.classList.toggle("completed", done);
  item.querySelector(".done").checked = done;
  item.querySelector(".title").textContent = task.title;
  item.querySelector(".edit").setAttribute("aria-label", `Edit ${task.title}`);
  item.querySelector(".delete").setAttribute("aria-label", `Delete ${task.title}`);
  item.querySelector(".details").replaceChildren(...details(task));
  return item;
}

function details(task) {
  const parts = [];
  const badge = (text) => Object.assign(document.createElement("span"), { className: "badge", textContent: text });
  if (task.status === "in_progress") parts.push(badge(STATUS_WORDS.in_progress));
  if (task.priority && task.priority !== "normal") parts.push(badge(`${task.priority} priority`));
  if (task.dueDate) parts.push(badge(`due ${task.dueDate.slice(0, 10)}`));
  for (const tag of task.tags || []) parts.push(badge(`#${tag}`));
  if (task.description) parts.push(document.createTextNode(task.description));
  return parts;
}

/** After a write: show the new version, or drop it from a view it no longer belongs to. */
function settle(task) {
  const item = itemOf(task.taskId);
  if (!shows(view.filter, task)) {
    item?.remove();
    view.tasks.delete(task.taskId);
    updateEmpty();
    return;
  }
  renderTask(task, item);
}

function gone(taskId, message) {
  itemOf(taskId)?.remove();
  view.tasks.delete(taskId);
  updateEmpty();
  announce(message);
}

// ---- add -----------------------------------------------------------------------------

// One Idempotency-Key per draft: a double submit or a retry after a lost answer sends the same
// key, and the API creates the task once.
let draft = { title: null, key: null };
let adding = false;

async function onAdd(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const input = $("new-title");
  const title = input.value.trim();
  clearErrors(form);
  if (!title) {
    showFieldError(input, "Type what needs doing first.");
    return;
  }
  if (adding) return;
  if (draft.title !== title) draft = { title, key: crypto.randomUUID() };
  adding = true;
  form.querySelector("button").disabled = true;
  try {
    const task = await api.create({ title }, draft.key);
    draft = { title: null, key: null };
    input.value = "";
    if (shows(view.filter, task) && !itemOf(task.taskId)) $("tasks").prepend(renderTask(task));
    updateEmpty();
    announce(`Added “${task.title}”.`);
  } catch (error) {
    showProblem(error, form, { title: input });
  } finally {
    adding = false;
    form.querySelector("button").disabled = false;
    input.focus();
  }
}

// ---- complete, delete, clear ---------------------------------------------------------

async function onToggle(taskId, checkbox) {
  const task = view.tasks.get(taskId);
  const patch = { completed: checkbox.checked };
  checkbox.disabled = true;
  try {
    const updated = await api.patch(taskId, patch, task.version);
    settle(updated);
    announce(`“${updated.title}” ${updated.completed ? "completed" : "reopened"}.`);
  } catch (error) {
    checkbox.checked = task.status === "completed";
    await onWriteFailed(taskId, error, {
      retry: (newer) => api.patch(taskId, patch, newer.version).then(settle),
      retryLabel: patch.completed ? "Complete anyway" : "Reopen anyway",
      yours: patch.completed ? "mark it done" : "reopen it",
    });
  } finally {
    checkbox.disabled = false;
  }
}

async function onDelete(taskId) {
  const task = view.tasks.get(taskId);
  const item = itemOf(taskId);
  const next = item?.nextElementSibling || item?.previousElementSibling;
  try {
    await api.remove(taskId, task.version);
    gone(taskId, `Deleted “${task.title}”.`);
    (next?.querySelector(".done") || $("new-title")).focus();
  } catch (error) {
    await onWriteFailed(taskId, error, {
      retry: (newer) => api.remove(taskId, newer.version).then(() => gone(taskId, `Deleted “${newer.title}”.`)),
      retryLabel: "Delete anyway",
      yours: "delete it",
    });
  }
}

async function onClearCompleted() {
  const button = $("clear-completed");
  button.disabled = true;
  try {
    const deleted = await api.clear("completed");
    reload();
    announce(deleted === 1 ? "Cleared 1 completed task." : `Cleared ${deleted} completed tasks.`);
  } catch (error) {
    announce(`Could not clear completed tasks: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

/** 404: it is gone; 412: someone changed it first, so show theirs and let the user choose. */
async function onWriteFailed(taskId, error, { retry, retryLabel, yours }) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 404) {
    gone(taskId, "That task had already been deleted elsewhere.");
    return;
  }
  if (error.status !== 412) {
    announce(error.message);
    return;
  }
  let newer;
  try {
    newer = await api.get(taskId);
  } catch (fetchError) {
    if (fetchError instanceof ApiError && fetchError.status === 404) {
      gone(taskId, "That task had been deleted elsewhere.");
    } else announce(fetchError.message);
    return;
  }
  renderTask(newer);
  showConflict(taskId, newer, { retry, retryLabel, yours });
}

// ---- edit ----------------------------------------------------------------------------

function field(id, labelText, control) {
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: labelText });
  control.id = id;
  const error = Object.assign(document.createElement("p"), { className: "field-error", id: `${id}-error`, hidden: true });
  control.setAttribute("aria-describedby", error.id);
  wrap.append(label, control, error);
  return wrap;
}

function openEditor(taskId) {
  document.querySelector(".edit-form")?.closest("li")?.querySelector(".edit")?.removeAttribute("aria-expanded");
  document.querySelector(".edit-form")?.remove();
  const task = view.tasks.get(taskId);
  const item = itemOf(taskId);
  const form = document.createElement("form");
  form.className = "edit-form";
  form.noValidate = true;
  form.setAttribute("aria-label", `Edit ${task.title}`);
  const title = Object.assign(document.createElement("input"), { value: task.title, maxLength: 200, autocomplete: "off" });
  const description = Object.assign(document.createElement("textarea"), { value: task.description || "", maxLength: 4000 });
  const due = Object.assign(document.createElement("input"), { type: "date", value: (task.dueDate || "").slice(0, 10) });
  const priority = document.createElement("select");
  for (const p of PRIORITIES) priority.append(new Option(p[0].toUpperCase() + p.slice(1), p, false, p === task.priority));
  const tags = Object.assign(document.createElement("input"), { value: (task.tags || []).join(", "), autocomplete: "off" });
  const suffix = taskId.slice(-12);
  const formError = Object.assign(document.createElement("p"), { className: "form-error", hidden: true });
  formError.setAttribute("role", "alert");
  const row = document.createElement("div");
  row.className = "row";
  row.append(field(`due-${suffix}`, "Due date", due), field(`priority-${suffix}`, "Priority", priority));
  const actions = document.createElement("div");
  actions.className = "actions";
  const save = Object.assign(document.createElement("button"), { type: "submit", textContent: "Save" });
  const cancel = Object.assign(document.createElement("button"), { type: "button", className: "quiet", textContent: "Cancel" });
  actions.append(save, cancel);
  form.append(
    formError,
    field(`title-${suffix}`, "Title", title),
    field(`description-${suffix}`, "Description", description),
    row,
    field(`tags-${suffix}`, "Tags (comma-separated)", tags),
    actions,
  );
  const controls = { title, description, dueDate: due, priority, tags };

  const close = () => {
    form.remove();
    item.querySelector(".edit").removeAttribute("aria-expanded");
    item.querySelector(".edit").focus();
  };
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    item.querySelector(".conflict")?.remove();
    const current = view.tasks.get(taskId);
    const patch = changes(current, controls);
    if (Object.keys(patch).length === 0) {
      close();
      return;
    }
    save.disabled = true;
    try {
      const updated = await api.patch(taskId, patch, current.version);
      close();
      settle(updated);
      announce(`Saved “${updated.title}”.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        showProblem(error, form, controls, formError);
      } else {
        await onWriteFailed(taskId, error, {
          retry: (newer) => api.patch(taskId, patch, newer.version).then((t) => { close(); settle(t); }),
          retryLabel: "Apply my changes",
          yours: Object.keys(patch).map((name) => FIELD_WORDS[name] || name).join(", "),
        });
      }
    } finally {
      save.disabled = false;
    }
  });
  item.querySelector(".edit").setAttribute("aria-expanded", "true");
  item.append(form);
  title.focus();
}

/** The merge patch from a task to what the form says: changed fields only, null clears. */
function changes(task, controls) {
  const patch = {};
  const title = controls.title.value;
  if (title !== task.title) patch.title = title;
  const description = controls.description.value;
  if (description !== (task.description || "")) patch.description = description === "" ? null : description;
  const due = controls.dueDate.value;
  if (due !== (task.dueDate || "").slice(0, 10)) patch.dueDate = due === "" ? null : due;
  if (controls.priority.value !== task.priority) patch.priority = controls.priority.value;
  const tags = controls.tags.value.split(",").map((t) => t.trim()).filter(Boolean);
  if (JSON.stringify(tags) !== JSON.stringify(task.tags || [])) patch.tags = tags;
  return patch;
}

// ---- conflicts -----------------------------------------------------------------------

/** `retry(newer)` repeats the user's write against the newer version; `yours` says what it was. */
function showConflict(taskId, newer, { retry, retryLabel, yours }) {
  const item = itemOf(taskId);
  item.querySelector(".conflict")?.remove();
  const box = document.createElement("div");
  box.className = "conflict";
  box.setAttribute("role", "group");
  const heading = Object.assign(document.createElement("h3"), {
    id: `conflict-${taskId.slice(-12)}`, textContent: "Changed elsewhere", tabIndex: -1,
  });
  box.setAttribute("aria-labelledby", heading.id);
  const intro = Object.assign(document.createElement("p"), {
    textContent: "Someone changed this task after you opened it (another tab or device). It now reads:",
  });
  const list = document.createElement("dl");
  const rows = [
    ["Title", newer.title],
    ["Status", STATUS_WORDS[newer.status] || newer.status],
    ["Priority", newer.priority],
    ["Due date", newer.dueDate ? newer.dueDate.slice(0, 10) : "none"],
    ["Tags", (newer.tags || []).join(", ") || "none"],
    ["Description", newer.description || "none"],
  ];
  for (const [name, value] of rows) {
    list.append(
      Object.assign(document.createElement("dt"), { textContent: name }),
      Object.assign(document.createElement("dd"), { textContent: value }),
    );
  }
  const actions = document.createElement("div");
  actions.className = "actions";
  const mine = Object.assign(document.createElement("button"), { type: "button", textContent: retryLabel });
  const theirs = Object.assign(document.createElement("button"), {
    type: "button", className: "quiet", textContent: "Keep the newer version",
  });
  actions.append(mine, theirs);
  const mineText = Object.assign(document.createElement("p"), { textContent: `Your change: ${yours}.` });
  box.append(heading, intro, list, mineText, actions);
  item.append(box);
  const done = () => {
    box.remove();
    item.querySelector(".edit")?.focus();
  };
  mine.addEventListener("click", async () => {
    mine.disabled = true;
    try {
      await retry(newer);
      box.remove();
      announce("Your change was applied.");
    } catch (error) {
      box.remove();
      await onWriteFailed(taskId, error, { retry, retryLabel, yours });
    }
  });
  theirs.addEventListener("click", () => {
    item.querySelector(".edit-form")?.remove();
    done();
    announce("Kept the newer version.");
  });
  heading.focus();
  announce("This task was changed elsewhere; choose which version to keep.");
}

// ---- errors next to their fields -----------------------------------------------------

function showFieldError(control, message) {
  const error = $(control.getAttribute("aria-describedby"));
  control.setAttribute("aria-invalid", "true");
  error.textContent = message;
  error.hidden = false;
}

function clearErrors(form) {
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const error of form.querySelectorAll(".field-error, .form-error")) {
    error.textContent = "";
    error.hidden = true;
  }
}

/** A problem document's per-field errors, each beside its field; the rest above the form. */
function showProblem(error, form, controls, formError) {
  if (!(error instanceof ApiError)) throw error;
  const unplaced = [];
  let first = null;
  for (const { field: name, detail } of error.fieldErrors) {
    const control = controls[name];
    if (!control) {
      unplaced.push(`${name}: ${detail}`);
      continue;
    }
    const label = form.querySelector(`label[for="${control.id}"]`)?.textContent.replace(/ \(.*\)$/, "") || name;
    // The API says "title must be …": the field's label reads better than its JSON name.
    showFieldError(control, detail.startsWith(`${name} `) ? `${label} ${detail.slice(name.length + 1)}` : detail);
    first ??= control;
  }
  const summary = unplaced.length ? unplaced.join("; ") : first ? "" : error.message;
  if (summary && formError) {
    formError.textContent = summary;
    formError.hidden = false;
  } else if (summary) {
    announce(summary);
  }
  first?.focus();
}

start();
