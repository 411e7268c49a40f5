// The screen: sign-in, then the list. The list is the user's tasks as last seen (kept on this
// device), with every write not yet sent applied on top; it stays live through delta sync and
// works offline. Modules: api (HTTP), auth (sign-in), db (IndexedDB), replica (the server's
// tasks), queue (writes), sync (when to talk to the server), list, editor, checklist, conflict,
// feedback (errors and announcements), lists (switcher, roles, joining), share (the dialog).
// Each list has its own replica, queue and scheduler.

import { Api } from "./api.js";
import { Session, SignInError } from "./auth.js";
import { describe, showConflict } from "./conflict.js";
import { openDb } from "./db.js";
import { Editor } from "./editor.js";
import { dueWords } from "./when.js";
import { alertIn, announce, clearErrors, focusFirst, quote, showFieldError, showProblem } from "./feedback.js";
import { filterFromHash, shows } from "./filters.js";
import { people, TaskList } from "./list.js";
import { Lists, takeJoinToken } from "./lists.js";
import { ShareDialog } from "./share.js";
import { localId, Queue } from "./queue.js";
import { Replica } from "./replica.js";
import { Scheduler, settingsFrom } from "./sync.js";

const $ = (id) => document.getElementById(id);
const WINDOW = 50; // tasks drawn at a time; more as the list scrolls
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

let api;
let session;
let db;
let list;
let lists; // the user's lists and the one shown
let opening = 0; // the latest list opened (a quick second choice wins over the first)
let editor = null; // the open editor, if any
let moreObserver; // draws more of the list when its end comes into view
let app = null; // signed in: {replica, queue, scheduler}
let syncState = { state: "ok" }; // the last outcome: ok, failing or offline
let busy = false; // talking to the server right now
const view = { filter: filterFromHash(location.hash), shown: WINDOW, mine: false };

// ---- start

async function start() {
  // The app's files, kept for offline use (web/sw.js); the page works without it.
  navigator.serviceWorker?.register("sw.js").catch(() => {});
  let config;
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    config = await response.json();
  } catch {
    $("loading").textContent = "The app's configuration could not be loaded.";
    return;
  }
  session = new Session(config.signIn || { mode: "local" });
  api = new Api(config.apiUrl || "", () => session.token(), () => {
    if (app) signedOut("Your session ended; sign in again.", true); // not after signing out
  });
  list = new TaskList($("tasks"), $("task-template"), $("new-title"));
  takeJoinToken(); // out of the address at once, whatever comes next
  lists = new Lists(api, { open: openList, gone: listGone });
  const share = new ShareDialog(api, lists, session.appUrl, { left: onLeft });
  $("list-share").addEventListener("click", () => share.open());
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
  if (session.token()) await signedIn();
  else signedOut();
}

function wire() {
  $("dev-sign-in").addEventListener("submit", onDevSignIn);
  $("hosted-sign-in-button").addEventListener("click", () => session.startHostedSignIn());
  $("sign-out").addEventListener("click", onSignOut);
  $("new-task").addEventListener("submit", onAdd);
  $("new-title").addEventListener("input", () => clearErrors($("new-task")));
  for (const button of document.querySelectorAll("[data-filter]")) {
    button.addEventListener("click", () => {
      location.hash = `#/${button.dataset.filter}`;
    });
  }
  window.addEventListener("hashchange", () => {
    if (location.hash.startsWith("#join=")) { // a link pasted into an open tab
      takeJoinToken();
      $("join-note").hidden = !!app;
      if (app) joinFromLink().then((listId) => listId && openList(listId));
      return;
    }
    view.filter = filterFromHash(location.hash);
    view.shown = WINDOW;
    refresh();
  });
  $("toggle-all").addEventListener("change", (event) => onToggleAll(event.target.checked));
  $("clear-completed").addEventListener("click", onClearCompleted);
  $("sync-retry").addEventListener("click", () => app?.scheduler.run());
  $("mine").addEventListener("click", () => {
    view.mine = !view.mine;
    refresh();
  });
  $("load-more").addEventListener("click", showMore);
  moreObserver = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !$("load-more").hidden) showMore();
  });

  // One listener per kind of event for every task's controls.
  const tasks = $("tasks");
  const idOf = (target) => target.closest("li[data-task-id]").dataset.taskId;
  tasks.addEventListener("change", (event) => {
    if (event.target.matches(".task-row .done")) onToggle(idOf(event.target), event.target.checked);
  });
  tasks.addEventListener("click", (event) => {
    const button = event.target.closest(".task-row button");
    if (button?.classList.contains("edit")) openEditor(idOf(button));
    if (button?.classList.contains("delete")) onDelete(idOf(button));
  });
  // TodoMVC: a double click on the title edits it (it is not the checkbox's label, so it
  // cannot tick the task either).
  tasks.addEventListener("dblclick", (event) => {
    if (event.target.closest(".task-row .title")) openEditor(idOf(event.target));
  });
}

// ---- sign-in

function signedOut(message = "", focus = false) {
  session.forget();
  app?.scheduler.stop();
  app?.queue.close();
  app = null;
  editor = null;
  list.clear();
  if ($("share").open) $("share").close();
  $("join-note").hidden = !takeJoinToken();
  $("signed-in").hidden = true;
  $("who").hidden = true;
  $("signed-out").hidden = false;
  $("dev-sign-in").hidden = session.mode !== "local";
  $("hosted-sign-in").hidden = session.mode === "local";
  const error = $("sign-in-error");
  error.textContent = message;
  error.hidden = !message;
  if (focus) focusFirst($("user-name"), $("hosted-sign-in-button"));
}

async function onSignOut() {
  // The list kept on this device goes with the session; writes not yet sent stay, and are sent
  // when this user next signs in here.
  await app?.replica.forget();
  lists.forget();
  if (!session.signOut()) signedOut("", true);
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
  await signedIn();
}

async function signedIn() {
  db ??= await openDb();
  people.me = session.subject();
  lists.use(people.me);
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = `Signed in as ${session.user()}`;
  $("sign-in-error").hidden = true;
  await openList((await joinFromLink()) || lists.current);
  $("new-title").focus();
  if (people.readonly) $("list-select").focus();
  lists.load().catch(() => {}); // offline: the lists kept on this device meanwhile
}

/** Opened with an invitation link: join; resolves the list's id (null: not joined, said why). */
async function joinFromLink() {
  const token = takeJoinToken();
  return token ? lists.join(token) : null;
}

/** Show a list: its own replica (kept on the device), queue of writes and sync schedule. */
async function openList(listId) {
  const lost = $("tasks").contains(document.activeElement);
  const turn = (opening += 1);
  app?.scheduler.stop();
  app?.queue.close();
  app = null;
  editor = null;
  list.clear();
  lists.current = listId;
  people.members = [];
  lists.save();
  lists.render();
  const replica = new Replica(api.forList(listId), db, people.me, listId);
  await replica.restore();
  if (turn !== opening) return;
  const queue = new Queue(replica.api, db, replica, {
    onChange: refresh,
    onAdded: () => app?.scheduler.push(),
    onConflict,
    onGone,
    onRefused,
    onRenamed: (from, to) => list.rename(from, to),
  });
  const scheduler = new Scheduler(async (pull) => {
    await queue.flush();
    if (pull && (await lists.check())) return; // the list is gone: the default one is shown
    if (pull) await replica.pull(refresh);
    refresh();
  }, settingsFrom(new URL(location.href)), showSync);
  app = { replica, queue, scheduler };
  Object.assign(view, { shown: WINDOW, mine: false });
  refresh();
  if (lost) $("list-select").focus();
  scheduler.start();
}

/** The list shown was deleted, or the user removed from it: say so, show the default list. */
async function listGone(gone) {
  alertIn($("lists"), `${quote(gone.name)} is no longer available to you: it was deleted, or you were removed from it.`);
  if ($("share").open) $("share").close();
  await openList("default");
}

async function onLeft(left) {
  lists.drop(left.listId);
  announce(`You left ${quote(left.name)}.`);
  await openList("default");
  $("list-select").focus();
}

// ---- the list

/** Draw the list, the counter and the toolbar from the tasks as the user should see them. */
function refresh() {
  if (!app) return;
  // Newest first: ids are UUIDv7 (creation order), and "local-…" (not yet sent) sorts above.
  const tasks = [...app.queue.view().values()].sort((a, b) => (a.taskId < b.taskId ? 1 : -1));
  view.mine &&= people.shared;
  const visible = tasks.filter((task) => shows(view.filter, task) && (!view.mine || task.assigneeId === people.me));
  $("mine").hidden = !people.shared;
  $("mine").setAttribute("aria-pressed", String(view.mine));
  list.render(visible.slice(0, view.shown), (taskId) => app.queue.pending(taskId));
  const left = tasks.filter((task) => task.status !== "completed").length;
  const completed = tasks.length - left;
  $("count").textContent = `${plural(left, "item", "items")} left`;
  const toggleAll = $("toggle-all");
  toggleAll.checked = tasks.length > 0 && left === 0;
  hide($("toggle-all-wrap"), tasks.length === 0);
  hide($("list-footer"), tasks.length === 0);
  hide($("clear-completed"), completed === 0);
  hide($("load-more"), visible.length <= view.shown);
  // Observing anew reports whether the end of the list is in view now (a tall screen).
  moreObserver.disconnect();
  if (visible.length > view.shown) moreObserver.observe($("more-sentinel"));
  $("empty").hidden = visible.length > 0 || !app.replica.loaded;
  $("list-loading").hidden = app.replica.loaded || tasks.length > 0;
  $("tasks").setAttribute("aria-busy", String(!app.replica.loaded));
  for (const button of document.querySelectorAll("[data-filter]")) {
    button.setAttribute("aria-pressed", String(button.dataset.filter === view.filter));
  }
  showSync();
}

/** Hide or show; a control that hides while focused hands focus to the list or the new task. */
function hide(element, hidden) {
  const hadFocus = hidden && element.contains(document.activeElement);
  element.hidden = hidden;
  if (hadFocus) focusFirst($("tasks").querySelector(".done"), $("new-title"));
}

function showMore() {
  view.shown += WINDOW;
  refresh();
}

/** The connection line above the list: offline, failing (with Retry), or changes being sent. */
function showSync(next) {
  const wasTrouble = ["failing", "offline"].includes(syncState.state);
  if (next) busy = next.state === "busy";
  if (next && !busy) syncState = next;
  if (!app) return;
  const trouble = ["failing", "offline"].includes(syncState.state);
  const waiting = app.queue.size;
  let headline = "";
  if (syncState.state === "offline") headline = "You're offline.";
  else if (trouble) headline = problemOf(syncState.error);
  let detail = "";
  if (trouble) {
    detail = waiting ? `${plural(waiting, "change is", "changes are")} kept on this device and will be sent when it reconnects.`
      : app.replica.loaded ? "Showing the tasks last seen on this device; trying again automatically."
        : "Your tasks could not be loaded; trying again automatically.";
  } else if (waiting) {
    detail = `Saving ${plural(waiting, "change", "changes")}…`;
  }
  // The alert speaks when trouble starts or changes kind, not on every retry.
  if ($("sync-alert").textContent !== headline) $("sync-alert").textContent = headline;
  $("sync-detail").textContent = detail;
  $("sync").classList.toggle("trouble", trouble);
  $("sync").dataset.state = busy ? "busy" : syncState.state; // for tests to wait on
  hide($("sync-retry"), !trouble);
  hide($("sync"), !headline && !detail);
  if (wasTrouble && !trouble && next?.state === "ok") announce("Connected again; your tasks are up to date.");
}

function problemOf(error) {
  if (!error || error.status === 0 || error.status === undefined) return "The server could not be reached.";
  if (error.status === 429) return "The server is busy.";
  return `The server is not answering (HTTP ${error.status}).`;
}

// ---- writes

/** The task as the user sees it now. */
const taskOf = (taskId) => app.queue.view().get(taskId);
const listFeedback = (text) => alertIn($("list-feedback"), text);

/**
 * Queue a write (the screen shows it at once) and wait for its fate. A refusal is shown beside
 * the task, unless the caller shows it itself (`own`: beside the fields of a form).
 */
async function write(op, { own = false } = {}) {
  listFeedback("");
  alertIn($("list-footer"), "");
  const item = list.itemOf(op.taskId);
  if (item) alertIn(item, "");
  try {
    return await app.queue.add(op);
  } catch (error) {
    if (own) throw error;
    onRefused(op, error);
    return { refused: true };
  }
}

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
  input.value = "";
  // The Idempotency-Key stays with the write: however often it is sent, one task is made.
  const taskId = localId();
  try {
    const result = await write({ kind: "create", taskId, fields: { title }, key: crypto.randomUUID() }, { own: true });
    if (result.task) announce(`Added ${quote(result.task.title)}.`);
    else if (result.queued) announce(`Added ${quote(title)} on this device; it will be sent when the server can be reached.`);
  } catch (error) {
    if (!input.value) input.value = title;
    showProblem(error, form, { title: input });
  }
}

async function onToggle(taskId, completed) {
  const result = await write({ kind: "patch", taskId, patch: { completed }, base: app.replica.version(taskId) });
  const task = result.task;
  if (!task) return;
  // A repeating task stays open, due again: say when.
  if (completed && task.recurrence && task.status !== "completed") {
    announce(`${quote(task.title)} done; next due ${dueWords(task)}.`);
  } else {
    announce(`${quote(task.title)} ${completed ? "completed" : "reopened"}.`);
  }
}

async function onToggleAll(completed) {
  const targets = [...app.queue.view().values()].filter((task) => (task.status === "completed") !== completed);
  const results = await Promise.all(targets.map((task) => write({
    kind: "patch", taskId: task.taskId, patch: { completed }, base: app.replica.version(task.taskId),
  })));
  if (results.every((result) => result.task)) {
    announce(`Marked ${plural(targets.length, "task", "tasks")} ${completed ? "complete" : "incomplete"}.`);
  }
}

async function onDelete(taskId) {
  const task = taskOf(taskId);
  const result = await write({ kind: "delete", taskId, base: app.replica.version(taskId) });
  if (result.task === null) announce(`Deleted ${quote(task.title)}.`);
}

async function onClearCompleted() {
  const taskIds = [...app.queue.view().values()].filter((t) => t.status === "completed").map((t) => t.taskId);
  const result = await write({ kind: "clear", taskIds });
  if (result.task === null) {
    announce(taskIds.length === 1 ? "Cleared 1 completed task." : `Cleared ${taskIds.length} completed tasks.`);
  }
}

function openEditor(taskId) {
  if (people.readonly) return;
  if (editor && !editor.closed) saveEdit(editor, { byBlur: true });
  const item = list.itemOf(taskId);
  editor = new Editor(item, taskOf(taskId), saveEdit);
}

/**
 * Save what an editor says. Save or Enter: wait for the server, so a refusal shows beside its
 * field. Clicking away (or opening another task): close at once; a refusal shows in the task.
 */
async function saveEdit(open, { byBlur }) {
  if (open.saving) return;
  const taskId = open.item.dataset.taskId;
  const task = app && taskOf(taskId);
  const patch = task ? open.changes(task) : {};
  if (Object.keys(patch).length === 0) {
    open.close({ focus: !byBlur });
    return;
  }
  open.clearErrors();
  open.saving = true;
  if (byBlur) open.close({ focus: false });
  try {
    const result = await write({ kind: "patch", taskId, patch, base: app.replica.version(taskId) }, { own: !byBlur });
    open.close({ focus: !byBlur && !result.conflict });
    if (result.task) announce(`Saved ${quote(result.task.title)}.`);
    else if (result.queued) announce("Saved on this device; it will be sent when the server can be reached.");
  } catch (error) {
    showProblem(error, open.form, open.controls, open.formError);
  } finally {
    open.saving = false;
  }
}

// ---- what the queue reports

function onConflict(newer, patch) {
  const item = list.itemOf(newer.taskId);
  if (!item) {
    listFeedback(`${quote(newer.title)} was changed elsewhere, so your change (${describe(patch).yours}) was not applied.`);
    return;
  }
  if (editor?.item === item) editor.close({ focus: false });
  showConflict(item, newer, patch, () => {
    write(patch ? { kind: "patch", taskId: newer.taskId, patch, base: newer.version }
      : { kind: "delete", taskId: newer.taskId, base: newer.version })
      .then((result) => { if (result.task !== undefined) announce("Your change was applied."); });
  });
}

function onGone(task) {
  listFeedback(`${task.title ? quote(task.title) : "A task"} had been deleted elsewhere; your change to it was dropped.`);
}

function onRefused(op, error) {
  const item = list.itemOf(op.taskId);
  const title = taskOf(op.taskId)?.title || op.fields?.title || "a task";
  if (op.kind === "clear") alertIn($("list-footer"), `Could not clear completed tasks: ${error.message}`);
  else if (op.kind === "create") listFeedback(`${quote(title)} could not be added: ${error.message}`);
  else if (item) alertIn(item, `Your change was not saved: ${error.message}`);
  else listFeedback(`Your change to ${quote(title)} was not saved: ${error.message}`);
}

start();
