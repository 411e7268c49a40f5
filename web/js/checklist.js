// The checklist inside the editor: add, tick, rename, move up or down, and remove items (the
// API's `checklist`, at most 50 {title, done}). Saved with the rest of the editor; an item
// whose text is emptied is dropped on save. Every action is a button or a key, no dragging.

export const MAX_ITEMS = 50;

const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);

/** A checklist editor for `items`; `.element` goes in the form, `.value` reads it back. */
export class ChecklistEditor {
  constructor(items, idPrefix) {
    this.id = idPrefix;
    this.element = el("fieldset", { className: "checklist" });
    this.list = el("ol", { className: "checklist-items" });
    this.newItem = el("input", { id: `${idPrefix}-new`, maxLength: 200, autocomplete: "off", placeholder: "Add an item" });
    const add = el("button", { type: "button", className: "quiet", textContent: "Add item" });
    this.error = el("p", { className: "field-error", id: `${idPrefix}-error`, hidden: true });
    this.error.setAttribute("role", "alert");
    this.newItem.setAttribute("aria-describedby", this.error.id);
    this.control = this.newItem; // where a save's error about the checklist is shown
    const row = el("div", { className: "inline" });
    row.append(this.newItem, add);
    this.element.append(
      el("legend", { textContent: "Checklist" }),
      this.list,
      el("label", { htmlFor: this.newItem.id, textContent: "New item", className: "sr-only" }),
      row,
      this.error,
    );
    for (const item of items) this.list.append(this.row(item));
    add.addEventListener("click", () => this.add());
    this.newItem.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter adds the item; it does not save the whole task
        this.add();
      }
    });
  }

  get value() {
    return [...this.list.children]
      .map((li) => ({ title: li.querySelector(".item-title").value.trim(), done: li.querySelector(".item-done").checked }))
      .filter((item) => item.title);
  }

  add() {
    const title = this.newItem.value.trim();
    this.error.hidden = true;
    this.newItem.removeAttribute("aria-invalid");
    if (!title) return;
    if (this.list.children.length >= MAX_ITEMS) {
      this.newItem.setAttribute("aria-invalid", "true");
      this.error.textContent = `A checklist holds at most ${MAX_ITEMS} items.`;
      this.error.hidden = false;
      return;
    }
    this.list.append(this.row({ title, done: false }));
    this.newItem.value = "";
    this.newItem.focus();
  }

  row(item) {
    const li = el("li");
    const done = el("input", { type: "checkbox", className: "item-done", checked: !!item.done });
    const title = el("input", { className: "item-title", value: item.title, maxLength: 200, autocomplete: "off" });
    const up = el("button", { type: "button", className: "quiet icon", textContent: "↑" });
    const down = el("button", { type: "button", className: "quiet icon", textContent: "↓" });
    const remove = el("button", { type: "button", className: "quiet icon", textContent: "✕" });
    const name = () => {
      const text = title.value.trim() || "empty item";
      done.setAttribute("aria-label", `Done: ${text}`);
      title.setAttribute("aria-label", `Item: ${text}`);
      up.setAttribute("aria-label", `Move ${text} up`);
      down.setAttribute("aria-label", `Move ${text} down`);
      remove.setAttribute("aria-label", `Remove ${text}`);
    };
    name();
    title.addEventListener("input", name);
    up.addEventListener("click", () => this.move(li, -1, up));
    down.addEventListener("click", () => this.move(li, 1, down));
    remove.addEventListener("click", () => {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      (next?.querySelector(".item-title") || this.newItem).focus();
    });
    li.append(done, title, up, down, remove);
    return li;
  }

  move(li, step, button) {
    const other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!other) return;
    if (step < 0) other.before(li);
    else other.after(li);
    button.focus(); // moving the item took focus with it
  }
}
