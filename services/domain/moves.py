"""Moving a task to another list (a PUT or PATCH with another `listId`): the caller must be
able to change tasks in both lists; the task keeps its id; the source list's sync reports a
tombstone, the target's the task. Two DynamoDB requests: one read, one transaction."""

from typing import Any

from services.data import moves as data
from services.data.lists import RecordChanged
from services.domain import lists, tasks
from services.domain.fields import Changes
from services.domain.ids import is_task_id
from services.domain.lists import DEFAULT_LIST, Access, check_assignee, require, role_in
from services.errors import EditConflict, ListNotFound, TaskNotFound, VersionMismatch


def _target(caller: str, list_id: str, records: dict[str, Any]) -> Access:
    """The caller's access to the target, from the record read with the task."""
    if list_id == DEFAULT_LIST:
        return lists.open_list(caller, DEFAULT_LIST)  # (reads nothing)
    record = records[list_id]
    role = role_in(record, caller)
    require(role in lists.WRITERS, f"A {role} of a list may not move tasks into it")
    return Access(list_id, lists.task_partition(caller, list_id), role, caller, record)


def move_task(source: Access, task_id: str, changes: Changes, *,
              expected_version: frozenset[int] | None) -> dict[str, Any]:
    """`source`: the access check of the task's list, passed for a writer. At most two more
    requests: the task with the target's record, then the transaction."""
    caller, target = source.caller, changes.list_id
    assert target is not None and target != source.list_id
    if not lists.is_list_id(target):
        raise ListNotFound("no such list")
    if not is_task_id(task_id):
        raise TaskNotFound(source.partition, task_id)
    item, records = data.read(source.partition, task_id,
                              [target] if target != DEFAULT_LIST else [])
    # The target first: a caller who is no member of it learns nothing about the task.
    to = _target(caller, target, records)
    if item is None:
        raise TaskNotFound(source.partition, task_id)
    if expected_version is not None and int(item.version or 0) not in expected_version:
        raise VersionMismatch(expected_version, int(item.version or 0))
    assignee = (None if "assigneeId" in changes.remove
                else changes.set.get("assigneeId", item.assignee_id))
    check_assignee(to, assignee)
    new = tasks.moved(item, to.partition, changes, caller)
    if not to.shared:
        new.updated_by = None  # the default list's tasks name nobody (they are the caller's)
    gone = tasks.new_tombstone(source.partition, task_id, new.updated_at)
    shared = [access.list_id for access in (source, to) if access.shared]
    try:
        data.write(item, new, gone, writer=caller, lists=shared)
    except RecordChanged as changed:
        # Membership or role changed since the checks: say what the record says now.
        role = role_in(changed.current, caller)
        require(role in lists.WRITERS, f"A {role} of a list may not move tasks into or out of "
                "it")
        raise EditConflict("a list changed during the move") from None
    except data.TaskChanged as changed:
        if changed.current is None:
            raise TaskNotFound(source.partition, task_id) from None
        if expected_version is not None:
            raise VersionMismatch(expected_version, int(changed.current.version or 0)) from None
        raise EditConflict("the task changed during the move") from None
    return tasks.view(new)
