// The share dialog of a list (a modal <dialog>: the page behind it is inert, Escape closes it,
// focus returns to the button that opened it). The owner makes invitation links (editor or
// viewer), copies one, sees the open ones and revokes them, sees the members, changes a role,
// removes a member. Any other member sees the members and may leave.

import { alertIn, quote } from "./feedback.js";
import { listPath } from "./lists.js";
import { people, who } from "./list.js";

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);
const ROLES = { editor: "Editor", viewer: "Viewer", owner: "Owner" };
const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

export class ShareDialog {
  /** @param {{left: (list: object) => void}} on  @param {string} appUrl the page's address */
  constructor(api, lists, appUrl, on) {
    this.api = api;
    this.lists = lists;
    this.appUrl = appUrl;
    this.on = on;
    this.dialog = $("share");
    this.dialog.addEventListener("close", () => {
      $("invite-made").hidden = true; // a token is shown once
      $("list-share").focus();
    });
    $("share-close").addEventListener("click", () => this.dialog.close());
    $("invite-create").addEventListener("click", () => this.invite());
    $("invite-copy").addEventListener("click", () => this.copy());
    $("leave").addEventListener("click", () => this.leave());
    // One listener for every row's controls.
    this.dialog.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-id]");
      if (!button) return;
      const kind = button.closest("ul").id;
      this.act("DELETE", kind, button.dataset.id, null, button);
    });
    this.dialog.addEventListener("change", (event) => {
      if (event.target.dataset.id) this.act("PATCH", "members", event.target.dataset.id, { role: event.target.value });
    });
  }

  get list() {
    return this.lists.list;
  }

  async open() {
    const { name, role } = this.list;
    $("share-heading").textContent = role === "owner" ? `Share ${quote(name)}` : `Members of ${quote(name)}`;
    $("invite").hidden = role !== "owner";
    $("leave").hidden = role === "owner";
    this.say("");
    this.dialog.showModal();
    await this.load();
  }

  /** The members (and, for the owner, the invitations) as the server has them now. */
  async load() {
    const owner = this.list.role === "owner";
    try {
      const path = (rest) => this.api.request("GET", listPath(this.list.listId, rest));
      const [members, invitations] = await Promise.all([path("/members"), owner ? path("/invitations") : { data: [] }]);
      this.drawMembers(members.data, owner);
      this.drawInvitations(invitations.data.filter((i) => i.status === "open"));
    } catch (error) {
      this.say(`Could not load the members: ${error.message}`, true);
    }
  }

  drawMembers(members, owner) {
    $("members").replaceChildren(...members.map((m) => {
      const li = el("li");
      const name = m.userId === people.me ? `${m.userId} (you)` : m.userId;
      li.append(el("span", { className: "who-is", textContent: name }));
      if (owner && m.role !== "owner") {
        const select = el("select", { ariaLabel: `Role of ${name}` });
        select.dataset.id = m.userId;
        for (const r of ["editor", "viewer"]) select.append(new Option(ROLES[r], r, false, r === m.role));
        li.append(select, button("Remove", `Remove ${name}`, m.userId));
      } else {
        li.append(el("span", { className: "badge", textContent: ROLES[m.role] }));
      }
      return li;
    }));
  }

  drawInvitations(invitations) {
    $("invitations").replaceChildren(...invitations.map((i) => {
      const li = el("li");
      const words = `${ROLES[i.role]} link, expires ${when(i.expiresAt)}`;
      li.append(el("span", { textContent: words }), button("Revoke", `Revoke ${words}`, i.invitationId));
      return li;
    }));
    $("no-invitations").hidden = invitations.length > 0;
  }

  async invite() {
    const role = $("invite-role").value;
    try {
      const { data } = await this.api.request("POST", listPath(this.list.listId, "/invitations"), { body: { role } });
      $("invite-link").value = `${this.appUrl}#join=${data.token}`;
      $("invite-made").hidden = false;
      $("invite-link").select();
      $("invite-link").focus();
      this.say(`Made an invitation link for a ${role}: anyone with it can join once.`);
      await this.load();
    } catch (error) {
      this.say(`Could not make a link: ${error.message}`, true);
    }
  }

  async copy() {
    try {
      await navigator.clipboard.writeText($("invite-link").value);
      this.say("Link copied.");
    } catch {
      $("invite-link").select();
      this.say("Could not copy: the link is selected, copy it from the field.", true);
    }
  }

  /** A change to a member or an invitation, then the dialog as the server has it. */
  async act(method, kind, id, body, control) {
    const where = control?.closest("li");
    const next = where?.nextElementSibling || where?.previousElementSibling;
    try {
      await this.api.request(method, listPath(this.list.listId, `/${kind}/${encodeURIComponent(id)}`), body ? { body } : {});
      this.say(method === "PATCH" ? `${who(id)} is now ${body.role === "editor" ? "an editor" : "a viewer"}.`
        : kind === "members" ? `Removed ${who(id)} from the list.` : "Link revoked: it no longer works.");
    } catch (error) {
      this.say(`Not done: ${error.message}`, true);
    }
    await this.load();
    // The row that held focus is gone: its neighbour, or the dialog's first control.
    if (!this.dialog.contains(document.activeElement) || document.activeElement === document.body) {
      const again = next && [...$(kind).children].find((li) => li.textContent === next.textContent);
      (again?.querySelector("button, select") || $("share-close")).focus();
    }
  }

  async leave() {
    const list = this.list;
    try {
      await this.api.request("DELETE", listPath(list.listId, `/members/${encodeURIComponent(this.lists.user)}`));
    } catch (error) {
      if (error.status !== 404) {
        this.say(`Could not leave: ${error.message}`, true);
        return;
      }
    }
    this.dialog.close();
    this.on.left(list);
  }

  /** News inside the dialog (the page behind it is inert, so its own live regions are not heard). */
  say(text, error = false) {
    alertIn(this.dialog, error ? text : "");
    $("share-status").textContent = error ? "" : text;
  }
}

function button(text, label, id) {
  const b = el("button", { type: "button", className: "quiet", textContent: text, ariaLabel: label });
  b.dataset.id = id;
  return b;
}
