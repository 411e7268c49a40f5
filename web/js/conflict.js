// "Changed elsewhere": a write was refused with 412 because the task changed after the user saw
// it (another tab or device, or while offline). The box shows the newer version inside the
// task's item and lets the user choose: theirs, or the user's change applied on top.

import { FIELD_WORDS } from "./editor.js";
import { STATUS_WORDS } from "./list.js";

const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);

/** What the user tried, in words and as a button label; `patch` null means a delete. */
export function describe(patch) {
  if (!patch) return { yours: "delete it", retryLabel: "Delete anyway" };
  const names = Object.keys(patch);
  if (names.length === 1 && names[0] === "completed") {
    return patch.completed ? { yours: "mark it done", retryLabel: "Complete anyway" }
      : { yours: "reopen it", retryLabel: "Reopen anyway" };
  }
  return {
    yours: names.map((name) => (name === "completed" ? "status" : FIELD_WORDS[name] || name)).join(", "),
    retryLabel: "Apply my changes",
  };
}

/**
 * @param {HTMLElement} item the task's list item
 * @param {() => void} applyMine sends the user's change again on top of `newer`
 */
export function showConflict(item, newer, patch, applyMine) {
  item.querySelector(".conflict")?.remove();
  const { yours, retryLabel } = describe(patch);
  const box = el("div", { className: "conflict" });
  box.setAttribute("role", "group");
  const heading = el("h3", { id: `conflict-${item.querySelector(".title").id}`, textContent: "Changed elsewhere", tabIndex: -1 });
  box.setAttribute("aria-labelledby", heading.id);
  const list = el("dl");
  const rows = [
    ["Title", newer.title],
    ["Status", STATUS_WORDS[newer.status] || newer.status],
    ["Priority", newer.priority],
    ["Due date", newer.dueDate ? newer.dueDate.slice(0, 10) : "none"],
    ["Tags", (newer.tags || []).join(", ") || "none"],
    ["Checklist", (newer.checklist || []).map((i) => `${i.done ? "☑" : "☐"} ${i.title}`).join(", ") || "none"],
    ["Description", newer.description || "none"],
  ];
  for (const [name, value] of rows) list.append(el("dt", { textContent: name }), el("dd", { textContent: value }));
  const actions = el("div", { className: "actions" });
  const mine = el("button", { type: "button", textContent: retryLabel });
  const theirs = el("button", { type: "button", className: "quiet", textContent: "Keep the newer version" });
  actions.append(mine, theirs);
  box.append(
    heading,
    el("p", { textContent: "Someone changed this task after you saw it (another tab or device). It now reads:" }),
    list,
    el("p", { textContent: `Your change: ${yours}.` }),
    actions,
  );
  item.append(box);
  const close = () => {
    box.remove();
    item.querySelector(".edit")?.focus();
  };
  mine.addEventListener("click", () => {
    close();
    applyMine();
  });
  theirs.addEventListener("click", close);
  heading.focus();
}
