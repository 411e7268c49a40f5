// The three views and the statuses each one shows (undefined: no status filter).

export const FILTERS = ["all", "active", "completed"];

export const STATUSES_OF = {
  all: [undefined],
  active: ["pending", "in_progress"],
  completed: ["completed"],
};

/** Does a task belong in a view (after an edit, say)? */
export function shows(filter, task) {
  if (filter === "active") return task.status !== "completed";
  if (filter === "completed") return task.status === "completed";
  return true;
}

export function filterFromHash(hash) {
  const name = hash.replace(/^#\/?/, "");
  return FILTERS.includes(name) ? name : "all";
}
