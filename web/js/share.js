// The share dialog (a modal <dialog>: the page behind is inert, Escape closes it, focus goes
// back to Share). The owner: invitation links (make, copy, revoke), members (role, remove).
// Any other member: the members, and Leave.

import { alertIn, quote } from "./feedback.js";
import { listPath } from "./lists.js";
import { people } from "./list.js";

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);
const ROLES = { editor: "Editor", viewer: "Viewer", owner: "Owner" };

export class ShareDialog {
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
    // Tab cycles inside the dialog: past its last control, back to its first.
    this.dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const all = [...this.dialog.querySelectorAll("button, select, input")].filter((c) => c.checkVisibility());
      if (document.activeElement !== all.at(event.shiftKey ? 0 : -1)) return;
      event.preventDefault();
      all.at(event.shiftKey ? -1 : 0).focus();
    });
    $("invite-create").addEventListener("click", () => this.invite());
    $("invite-copy").addEventListener("click", () => this.copy());
    $("leave").addEventListener("click", () => this.leave());
    // One listener for every row's controls.
    this.dialog.addEventListener("click", (event) => {
      const b = event.target.closest("button[data-id]");
      if (b) this.act("DELETE", b.closest("ul").id, b.dataset.id);
    });
    this.dialog.addEventListener("change", (event) => {
      if (event.target.dataset.id) this.act("PATCH", "members", event.target.dataset.id, { role: event.target.value });
    });
  }

  async open() {
    const { name, role } = this.lists.list;
    $("share-heading").textContent = role === "owner" ? `Share ${quote(name)}` : `Members of ${quote(name)}`;
    $("invite").hidden = role !== "owner";
    $("leave").hidden = role === "owner";
    this.say("");
    this.dialog.showModal();
    await this.load();
  }

  /** The members (and, for the owner, the open invitations) as the server has them now. */
  async load() {
    const owner = this.lists.list.role === "owner";
    let members;
    let invitations;
    try {
      const get = async (rest) => (await this.api.request("GET", listPath(this.lists.current, rest))).data;
      [members, invitations] = await Promise.all([get("/members"), owner ? get("/invitations") : []]);
    } catch (error) {
      this.say(`Could not load the members: ${error.message}`, true);
      return;
    }
    $("members").replaceChildren(...members.map((m) => {
      const name = m.userId + (m.userId === people.me ? " (you)" : "");
      const li = el("li");
      li.append(el("span", { textContent: name }));
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
    const open = invitations.filter((i) => i.status === "open");
    $("invitations").replaceChildren(...open.map((i) => {
      const li = el("li");
      const words = `${ROLES[i.role]} link, expires ${new Date(i.expiresAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
      li.append(el("span", { textContent: words }), button("Revoke", `Revoke ${words}`, i.invitationId));
      return li;
    }));
    $("no-invitations").hidden = open.length > 0;
  }

  async invite() {
    const role = $("invite-role").value;
    try {
      const { data } = await this.api.request("POST", listPath(this.lists.list.listId, "/invitations"), { body: { role } });
      this.made = data.invitationId;
      $("invite-link").value = `${this.appUrl}#join=${data.token}`;
      $("invite-made").hidden = false;
      $("invite-link").select();
      $("invite-link").focus();
      this.say(`Made a link for one ${role} to join.`);
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
      this.say("Could not copy: copy the selected link from its field.", true);
    }
  }

  /** A change to a member or an invitation, then the dialog as the server has it. */
  async act(method, kind, id, body) {
    try {
      await this.api.request(method, listPath(this.lists.current, `/${kind}/${encodeURIComponent(id)}`), body && { body });
      this.say(body ? `${id} is now ${body.role === "editor" ? "an editor" : "a viewer"}.`
        : kind === "members" ? `Removed ${id} from the list.` : "Link revoked: it no longer works.");
    } catch (error) {
      this.say(`Not done: ${error.message}`, true);
    }
    if (id === this.made) $("invite-made").hidden = true; // that link no longer works
    await this.load();
    if (!this.dialog.contains(document.activeElement)) $("share-close").focus(); // its row went
  }

  async leave() {
    const list = this.lists.list;
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

  /** News inside the dialog (the page behind is inert: its live regions are not heard). */
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
