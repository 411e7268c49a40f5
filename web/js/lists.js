// The user's lists (docs/LISTS.md): the switcher (choose, create, rename, delete), the shown
// list's role and members, and joining by a link: the app's address with `#join=<token>` (a
// fragment reaches no server's log; the token goes in a body). Lists and choice are kept on
// the device, so a reload, online or not, opens the list last chosen.

import { alertIn, announce, clearErrors, focusFirst, quote, showFieldError, showProblem } from "./feedback.js";
import { people } from "./list.js";

const $ = (id) => document.getElementById(id);
const JOIN = "todo.join";
const DEFAULT = { listId: "default", name: "Tasks", role: "owner", memberCount: 1 };
export const listPath = (listId, rest = "") => `/lists/${encodeURIComponent(listId)}${rest}`;

/** The invitation token: out of the address at once, kept for the tab (past a sign-in). */
export function takeJoinToken() {
  const match = /^#join=([\w-]+)$/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(JOIN, match[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(JOIN);
}

const JOIN_ERRORS = {
  404: "This invitation link does not work: it was revoked, used, or never existed.",
  410: "This invitation link has expired.",
};

export class Lists {
  constructor(api, on) {
    this.api = api;
    this.on = on;
    this.wire();
  }

  /** Signed in: the lists kept on this device, until the server's. */
  use(user) {
    this.user = user;
    this.key = `todo.lists.${user}`;
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(this.key)); } catch { /* none kept */ }
    this.all = kept?.all?.length ? kept.all : [DEFAULT];
    this.current = this.find(kept?.current) ? kept.current : "default";
    this.mode = null; // the name form: "create" or "rename"
  }

  find(listId) {
    return this.all.find((l) => l.listId === listId);
  }

  /** The list shown. */
  get list() {
    return this.find(this.current) || DEFAULT;
  }

  save() {
    localStorage.setItem(this.key, JSON.stringify({ all: this.all, current: this.current }));
  }

  forget() {
    localStorage.removeItem(this.key);
  }

  /** Every list of the user, from the server. */
  async load() {
    const all = [];
    let cursor = "";
    do {
      const { headers, data } = await this.api.request("GET", `/lists?limit=100${cursor && `&cursor=${encodeURIComponent(cursor)}`}`);
      all.push(...data);
      cursor = headers.get("X-Next-Cursor");
    } while (cursor);
    const shown = this.list;
    this.all = all;
    this.save();
    if (this.find(this.current)) this.render();
    else this.on.gone(shown); // deleted, or the user removed, while this device was away
  }

  /** The switcher and what the caller's role allows. */
  render() {
    const { listId, role, name } = this.list;
    const shared = (l) => l.memberCount > 1 || l.role !== "owner";
    $("list-select").replaceChildren(...this.all.map((l) => new Option(
      shared(l) ? `${l.name} (shared)` : l.name, l.listId, false, l.listId === listId)));
    const owner = role === "owner";
    $("list-rename").hidden = !owner;
    $("list-delete").hidden = !owner || listId === "default";
    $("list-share").hidden = listId === "default";
    $("list-share").textContent = owner ? "Share" : "Members";
    $("list-share").setAttribute("aria-label", `${owner ? "Share" : "Members of"} ${name}`);
    people.shared = listId !== "default" && (people.members.length > 1 || shared(this.list));
    const viewer = role === "viewer";
    const focused = document.activeElement;
    document.body.classList.toggle("readonly", viewer);
    $("readonly-note").hidden = !viewer;
    people.readonly = viewer;
    // A control that went (a viewer's Add, Edit) hands focus to the switcher, not the body.
    if (focused !== document.body && !focused?.checkVisibility?.()) $("list-select").focus();
  }

  /** Is the shown list still the caller's, in which role, with which members? True: gone. */
  async check() {
    const list = this.list;
    if (list.listId === "default") return false;
    let members;
    try {
      members = (await this.api.request("GET", listPath(list.listId, "/members"))).data;
    } catch (error) {
      if (error.status !== 404) throw error;
      this.drop(list.listId);
      this.on.gone(list);
      return true;
    }
    const first = !people.members.length;
    people.members = members;
    const role = members.find((m) => m.userId === this.user)?.role || list.role;
    if (role !== list.role || members.length !== list.memberCount) {
      Object.assign(list, { role, memberCount: members.length });
      this.save();
    } else if (!first) {
      return false; // nothing new: the switcher stays as it is (it may be open)
    }
    this.render();
    return false;
  }

  /** A list as the server answered: in its place, or last. */
  keep(list) {
    const i = this.all.findIndex((l) => l.listId === list.listId);
    this.all.splice(i < 0 ? this.all.length : i, i >= 0, list);
    this.save();
  }

  drop(listId) {
    this.all = this.all.filter((l) => l.listId !== listId);
    this.save();
  }

  /** Accept an invitation; resolves the joined list's id, or null (the error is shown). */
  async join(token) {
    sessionStorage.removeItem(JOIN);
    alertIn($("lists"), "");
    try {
      const { data } = await this.api.request("POST", "/invitations/accept", { body: { token } });
      this.keep(data);
      announce(`You joined ${quote(data.name)} as ${data.role}.`);
      return data.listId;
    } catch (error) {
      alertIn($("lists"), `${JOIN_ERRORS[error.status] || `Could not join: ${error.message}`} Ask the list's owner for a new one.`);
      return null;
    }
  }

  wire() {
    $("list-select").addEventListener("change", (event) => {
      alertIn($("lists"), "");
      this.on.open(event.target.value);
    });
    $("list-new").addEventListener("click", () => this.ask("create"));
    $("list-rename").addEventListener("click", () => this.ask("rename"));
    $("list-delete").addEventListener("click", () => {
      alertIn($("list-confirm"), "");
      $("list-confirm-text").textContent = `Delete ${quote(this.list.name)} and all its tasks, for every member?`;
      $("list-confirm").hidden = false;
      $("list-confirm-yes").focus();
    });
    $("list-confirm-no").addEventListener("click", () => this.closeConfirm());
    $("list-confirm-yes").addEventListener("click", () => this.remove());
    $("list-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    $("list-cancel").addEventListener("click", () => this.closeForm());
    $("lists").addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      if (!$("list-form").hidden) this.closeForm();
      if (!$("list-confirm").hidden) this.closeConfirm();
    });
  }

  ask(mode) {
    this.mode = mode;
    clearErrors($("list-form"));
    $("list-form").hidden = false;
    $("list-name").value = mode === "rename" ? this.list.name : "";
    $("list-submit").textContent = mode === "rename" ? "Save name" : "Create list";
    $("list-name").focus();
  }

  closeForm(focus = this.mode === "rename" ? "list-rename" : "list-new") {
    $("list-form").hidden = true;
    focusFirst($(focus), $("list-select"));
  }

  closeConfirm() {
    $("list-confirm").hidden = true;
    $("list-delete").focus();
  }

  async submit() {
    const input = $("list-name");
    const name = input.value.trim();
    clearErrors($("list-form"));
    if (!name) {
      showFieldError(input, "Type a name for the list.");
      input.focus();
      return;
    }
    try {
      const { data } = this.mode === "create"
        ? await this.api.request("POST", "/lists", { body: { name }, headers: { "Idempotency-Key": crypto.randomUUID() } })
        : await this.api.request("PATCH", listPath(this.current), { body: { name } }); // a name: last one wins
      this.keep(data);
      announce(this.mode === "create" ? `Created the list ${quote(data.name)}.` : `Renamed the list to ${quote(data.name)}.`);
      if (this.mode === "create") await this.on.open(data.listId);
      else this.render();
      this.closeForm(this.mode === "create" ? "list-select" : "list-rename");
    } catch (error) {
      showProblem(error, $("list-form"), { name: input }, $("list-form-error"));
      if (!input.matches("[aria-invalid]")) input.focus();
    }
  }

  async remove() {
    const { listId, name } = this.list;
    try {
      await this.api.request("DELETE", listPath(listId));
    } catch (error) {
      if (error.status !== 404) {
        alertIn($("list-confirm"), `Could not delete the list: ${error.message}`);
        return;
      }
    }
    $("list-confirm").hidden = true;
    this.drop(listId);
    announce(`Deleted the list ${quote(name)}.`);
    await this.on.open("default");
    $("list-select").focus();
  }
}
