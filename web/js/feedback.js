// Feedback where the action is: an error sits beside the field, task or control it concerns,
// styled as an error and announced at once (role=alert); a success is announced politely and
// shown for a moment at the bottom of the screen, wherever the list is scrolled to.

import { ApiError } from "./api.js";

const $ = (id) => document.getElementById(id);
let fade = 0;

/** A task's title as a message quotes it: a 200-character title is cut short. */
export const quote = (title) => `“${title.length > 60 ? `${title.slice(0, 59)}…` : title}”`;

/** A success (or neutral news), read out politely. */
export function announce(text) {
  const status = $("status");
  status.textContent = text;
  clearTimeout(fade);
  if (text) fade = setTimeout(() => { status.textContent = ""; }, 6000);
}

/** An error inside `container` (a task, a form, a toolbar), announced assertively; "" clears. */
export function alertIn(container, text) {
  let box = container.querySelector(":scope > .error-box");
  if (!text) {
    box?.remove();
    return;
  }
  if (!box) {
    box = Object.assign(document.createElement("p"), { className: "error-box" });
    box.setAttribute("role", "alert");
    container.append(box);
  }
  box.textContent = text;
}

export function showFieldError(control, message) {
  const error = $(control.getAttribute("aria-describedby"));
  control.setAttribute("aria-invalid", "true");
  error.textContent = message;
  error.hidden = false;
}

export function clearErrors(form) {
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const error of form.querySelectorAll(".field-error, .form-error")) {
    error.textContent = "";
    error.hidden = true;
  }
}

/**
 * A problem document's per-field errors, each beside its field (`controls` by API field name);
 * the rest in `formError`, or beside the form. Focus goes to the first field in error.
 */
export function showProblem(error, form, controls, formError) {
  if (!(error instanceof ApiError)) throw error;
  const unplaced = [];
  let first = null;
  for (const { field: name, detail } of error.fieldErrors) {
    const control = controls[name] || controls[String(name).split(/[.[/]/)[0]];
    if (!control) {
      unplaced.push(`${name}: ${detail}`);
      continue;
    }
    const label = control.dataset.label || form.querySelector(`label[for="${control.id}"]`)?.textContent.replace(/ \(.*\)$/, "") || name;
    // The API says "title must be …": the field's label reads better than its JSON name.
    showFieldError(control, detail.startsWith(`${name} `) ? `${label} ${detail.slice(name.length + 1)}` : detail);
    first ??= control;
  }
  const summary = unplaced.length ? unplaced.join("; ") : first ? "" : error.message;
  if (summary && formError) {
    formError.textContent = summary;
    formError.hidden = false;
  } else if (summary) {
    alertIn(form, summary);
  }
  first?.focus();
}

/** Focus `element`, or the first of `fallbacks` that is on screen: never the page body. */
export function focusFirst(...candidates) {
  const target = candidates.find((el) => el && el.isConnected && !el.closest("[hidden]") && !el.disabled);
  target?.focus();
  return target;
}
