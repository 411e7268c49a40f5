// The three views of the list, TodoMVC's: All, Active (to do or in progress), Completed.

export const FILTERS = ["all", "active", "completed"];

/** Does a task belong in a view? */
export function shows(filter, task) {
  if (filter === "active") return task.status !== "completed";
  if (filter === "completed") return task.status === "completed";
  return true;
}

export function filterFromHash(hash) {
  const name = hash.replace(/^#\/?/, "");
  return FILTERS.includes(name) ? name : "all";
}
