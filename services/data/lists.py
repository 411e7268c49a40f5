"""DynamoDB requests for lists, memberships and invitations (docs/LISTS.md, "The data"): one
request per call. A conditional write that loses a race raises RecordChanged with the list
record as its failed condition found it, so that the caller can decide again on fresh data
without another read."""

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from models import (
    DeletedList,
    IdempotencyRecord,
    InvitationEntry,
    ListRecord,
    ListsProfile,
    MemberEntry,
    Membership,
    TodoModel,
)
from models.list import PURGE_PARTITION, RECORD_KEY, record_partition
from models.membership import PROFILE_KEY, membership_key
from models.membership import partition as memberships_partition
from services.data.store import _CONDITION_FAILED_REASON, _client, _dynamodb, _transact
from services.errors import StoreUnavailable, VersionMismatch


class RecordChanged(Exception):
    """A write's condition failed: `current` is the list record as it is now (None: gone)."""

    def __init__(self, current: ListRecord | None) -> None:
        super().__init__("the list record changed")
        self.current = current


class LimitHit(Exception):
    """A counter's condition failed (the owner's count of lists)."""


def _table() -> str:
    return str(TodoModel.Meta.table_name)


def _key(partition: str, sort_key: str) -> dict[str, Any]:
    return {"userID": {"S": partition}, "taskID": {"S": sort_key}}


def record_key(list_id: str) -> dict[str, Any]:
    return _key(record_partition(list_id), RECORD_KEY)


def _membership_key(user_id: str, list_id: str) -> dict[str, Any]:
    return _key(memberships_partition(user_id), membership_key(list_id))


def _profile_key(user_id: str) -> dict[str, Any]:
    return _key(memberships_partition(user_id), PROFILE_KEY)


def _record(raw: Mapping[str, Any] | None) -> ListRecord | None:
    return ListRecord.from_raw_data(dict(raw)) if raw else None


class _Expression:
    """Placeholders for an expression's names and values (any user id or invitation id may
    be a map key, so every name goes through ExpressionAttributeNames)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self._placeholders: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, *parts: str) -> str:
        """A document path: each part a placeholder, joined with dots."""
        placeholders = []
        for part in parts:
            if part not in self._placeholders:
                self._placeholders[part] = f"#n{len(self.names)}"
                self.names[self._placeholders[part]] = part
            placeholders.append(self._placeholders[part])
        return ".".join(placeholders)

    def value(self, attribute_value: dict[str, Any]) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = attribute_value
        return placeholder

    def string(self, text: str) -> str:
        return self.value({"S": text})

    def number(self, number: int) -> str:
        return self.value({"N": str(number)})

    def kwargs(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.names:
            found["ExpressionAttributeNames"] = self.names
        if self.values:
            found["ExpressionAttributeValues"] = self.values
        return found


def _member_value(entry: MemberEntry) -> dict[str, Any]:
    return {"M": MemberEntry().serialize(entry)}  # type: ignore[no-untyped-call]


def _invitation_value(entry: InvitationEntry) -> dict[str, Any]:
    return {"M": InvitationEntry().serialize(entry)}  # type: ignore[no-untyped-call]


def _touch(expression: _Expression, now: str) -> str:
    """SET clauses every change of what members see makes: a new version and updatedAt."""
    return (f"{expression.name('version')} = {expression.name('version')} + "
            f"{expression.number(1)}, {expression.name('updatedAt')} = {expression.string(now)}")


def _at_version(expression: _Expression, version: int) -> str:
    return f"{expression.name('version')} = {expression.number(version)}"


def _update_record(list_id: str, expression: _Expression, update: str,
                   condition: str) -> dict[str, Any]:
    return {
        "TableName": _table(), "Key": record_key(list_id), "UpdateExpression": update,
        "ConditionExpression": condition, "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        **expression.kwargs(),
    }


def _membership_item(user_id: str, list_id: str, entry: MemberEntry) -> dict[str, Any]:
    item = Membership(memberships_partition(user_id), membership_key(list_id), list_id=list_id,
                      role=entry.role, joined_at=entry.joined_at)
    return {"TableName": _table(), "Item": item.serialize()}


def _cancelled_record(error: ClientError, index: int = 0) -> ListRecord | None:
    """The record a cancelled transaction's action `index` found, if its condition failed
    (None when the record is gone); re-raise anything else."""
    reasons = error.response.get("CancellationReasons") or []
    if index < len(reasons) and reasons[index].get("Code") == _CONDITION_FAILED_REASON:
        return _record(reasons[index].get("Item"))
    raise error


def _transact_on_record(actions: list[dict[str, Any]]) -> None:
    """One transaction whose first action is conditional on the list record."""
    with _dynamodb():
        try:
            _transact(actions)
        except ClientError as error:
            raise RecordChanged(_cancelled_record(error)) from None


# Reads


def get_record(list_id: str) -> ListRecord | None:
    """The access check: one strongly consistent GetItem, never cached."""
    with _dynamodb():
        found = _client().get_item(TableName=_table(), Key=record_key(list_id),
                                   ConsistentRead=True)
    return _record(found.get("Item"))


def get_records(list_ids: list[str]) -> dict[str, ListRecord]:
    """The records of these lists (at most 100), strongly consistent, in one BatchGetItem
    (again only for keys DynamoDB left unprocessed under load). Missing lists are left out."""
    found: dict[str, ListRecord] = {}
    keys = [record_key(list_id) for list_id in dict.fromkeys(list_ids)]
    for _ in range(3):
        if not keys:
            return found
        with _dynamodb():
            reply = _client().batch_get_item(
                RequestItems={_table(): {"Keys": keys, "ConsistentRead": True}})
        for raw in reply.get("Responses", {}).get(_table(), []):
            record = ListRecord.from_raw_data(raw)
            found[record.list_id] = record
        keys = reply.get("UnprocessedKeys", {}).get(_table(), {}).get("Keys", [])
    if keys:
        raise StoreUnavailable("BatchGetItem left keys unprocessed three times")
    return found


def get_profile(user_id: str) -> ListsProfile | None:
    with _dynamodb():
        found = _client().get_item(TableName=_table(), Key=_profile_key(user_id),
                                   ConsistentRead=True)
    raw = found.get("Item")
    return ListsProfile.from_raw_data(raw) if raw else None


def query_memberships(
    user_id: str, *, limit: int, after: str | None,
) -> tuple[list[ListsProfile | Membership], str | None]:
    """One strongly consistent Query of the user's side of its memberships (the profile
    first): at most `limit` items, and the sort key of the last when more may follow."""
    kwargs: dict[str, Any] = {}
    if after is not None:
        kwargs["ExclusiveStartKey"] = _key(memberships_partition(user_id), after)
    with _dynamodb():
        page = _client().query(
            TableName=_table(), KeyConditionExpression="userID = :p",
            ExpressionAttributeValues={":p": {"S": memberships_partition(user_id)}},
            ConsistentRead=True, Limit=limit, **kwargs)
    items: list[ListsProfile | Membership] = [
        ListsProfile.from_raw_data(raw) if raw["taskID"]["S"] == PROFILE_KEY
        else Membership.from_raw_data(raw)
        for raw in page.get("Items", [])
    ]
    last = page.get("LastEvaluatedKey")
    return items, last["taskID"]["S"] if last else None


# Lists


def create(record: ListRecord, *, max_owned: int, once: IdempotencyRecord | None = None,
           now: int = 0) -> IdempotencyRecord | None:
    """The record, the owner's membership and the owner's count of lists, in one transaction;
    LimitHit when the owner already has `max_owned`. With `once` (an Idempotency-Key's
    record), only if no live record holds that key: else nothing is written and that earlier
    record is returned."""
    owner = record.owner_id
    expression = _Expression()
    owned = expression.name("ownedLists")
    count = {
        "TableName": _table(), "Key": _profile_key(owner),
        "UpdateExpression": f"ADD {owned} {expression.number(1)}",
        "ConditionExpression": f"attribute_not_exists({owned}) OR {owned} < "
                               f"{expression.number(max_owned)}",
        **expression.kwargs(),
    }
    actions = [
        {"Update": count},
        {"Put": {"TableName": _table(), "Item": record.serialize(),
                 "ConditionExpression": "attribute_not_exists(userID)"}},
        {"Put": _membership_item(owner, record.list_id, record.members[owner])},
    ]
    if once is not None:
        fresh = IdempotencyRecord.key.does_not_exist() | (IdempotencyRecord.expires_at < now)
        actions.append({"Put": once.get_save_kwargs_from_instance(
            condition=fresh, return_values_on_condition_failure="ALL_OLD")})
    with _dynamodb():
        try:
            _transact(actions)
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            failed = [i for i, r in enumerate(reasons) if r.get("Code") == _CONDITION_FAILED_REASON]
            if once is not None and len(actions) - 1 in failed:
                return IdempotencyRecord.from_raw_data(reasons[-1]["Item"])
            if 0 in failed:
                raise LimitHit from None
            raise
    return None


def rename(list_id: str, name: str, *, now: str, version: int) -> ListRecord:
    expression = _Expression()
    update = f"SET {expression.name('name')} = {expression.string(name)}, " + _touch(
        expression, now)
    kwargs = _update_record(list_id, expression, update, _at_version(expression, version))
    with _dynamodb():
        try:
            reply = _client().update_item(ReturnValues="ALL_NEW", **kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise RecordChanged(_record(error.response.get("Item"))) from None
    return ListRecord.from_raw_data(reply["Attributes"])


def rename_default(user_id: str, name: str, *, now: str,
                   version: frozenset[int] | None) -> ListsProfile:
    """The default list's name, kept in the user's profile (created by the first rename)."""
    expression = _Expression()
    version_path = expression.name("version")
    update = (f"SET {expression.name('name')} = {expression.string(name)}, "
              f"{expression.name('updatedAt')} = {expression.string(now)}, "
              f"{expression.name('createdAt')} = if_not_exists("
              f"{expression.name('createdAt')}, {expression.string(now)}) "
              f"ADD {version_path} {expression.number(1)}")
    kwargs: dict[str, Any] = {}
    if version is not None:  # If-Match: at one of these versions (0: never renamed yet)
        # No version is -1: an If-Match nothing matches fails the write (412).
        listed = ", ".join(expression.number(v) for v in sorted(version or {-1}))
        condition = f"{version_path} IN ({listed})"
        if 0 in version:
            condition = f"attribute_not_exists({version_path}) OR {condition}"
        kwargs["ConditionExpression"] = condition
    with _dynamodb():
        try:
            reply = _client().update_item(
                TableName=_table(), Key=_profile_key(user_id), UpdateExpression=update,
                ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **expression.kwargs(), **kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException" or (
                    version is None):
                raise
            current = error.response.get("Item", {}).get("version", {}).get("N", "0")
            raise VersionMismatch(version, int(current)) from None
    return ListsProfile.from_raw_data(reply["Attributes"])


def delete(record: ListRecord, *, now: str) -> None:
    """The record, every member's side of its membership (at most 50), the owner's count, and
    a marker for the clean-up of the tasks left behind: one transaction, on the version read."""
    list_id = record.list_id
    expression = _Expression()
    actions: list[dict[str, Any]] = [{"Delete": {
        "TableName": _table(), "Key": record_key(list_id),
        "ConditionExpression": _at_version(expression, int(record.version)),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD", **expression.kwargs(),
    }}]
    actions += [{"Delete": {"TableName": _table(), "Key": _membership_key(user_id, list_id)}}
                for user_id in sorted(record.members)]
    actions.append({"Update": {
        "TableName": _table(), "Key": _profile_key(record.owner_id),
        "UpdateExpression": "ADD ownedLists :minus", "ExpressionAttributeValues": {
            ":minus": {"N": "-1"}},
    }})
    marker = DeletedList(PURGE_PARTITION, list_id, deleted_at=now)
    actions.append({"Put": {"TableName": _table(), "Item": marker.serialize()}})
    _transact_on_record(actions)


# Members


def set_role(record: ListRecord, user_id: str, role: str, *, now: str) -> None:
    entry = record.members[user_id]
    expression = _Expression()
    update = (f"SET {expression.name('members', user_id, 'role')} = {expression.string(role)}, "
              + _touch(expression, now))
    changed = MemberEntry(role=role, joined_at=entry.joined_at, via=entry.via)  # type: ignore[no-untyped-call]
    _transact_on_record([
        {"Update": _update_record(record.list_id, expression, update,
                                  _at_version(expression, int(record.version)))},
        {"Put": _membership_item(user_id, record.list_id, changed)},
    ])


def remove_member(record: ListRecord, user_id: str, *, now: str) -> None:
    expression = _Expression()
    update = f"REMOVE {expression.name('members', user_id)} SET " + _touch(expression, now)
    _transact_on_record([
        {"Update": _update_record(record.list_id, expression, update,
                                  _at_version(expression, int(record.version)))},
        {"Delete": {"TableName": _table(), "Key": _membership_key(user_id, record.list_id)}},
    ])


def join(record: ListRecord, user_id: str, entry: MemberEntry, *, invitation_id: str,
         now: str, max_members: int) -> None:
    """Add a member through an invitation, counting its use, in one transaction that holds
    only while the member is not in yet, the list has room, and the invitation (the same
    token) is unexpired and not used up: of two accepts racing for its last use, one wins."""
    invitation = record.invitations[invitation_id]
    expression = _Expression()
    uses = expression.name("invitations", invitation_id, "uses")
    members = expression.name("members")
    update = (f"SET {expression.name('members', user_id)} = "
              f"{expression.value(_member_value(entry))}, "
              f"{uses} = {uses} + {expression.number(1)}, " + _touch(expression, now))
    condition = " AND ".join([
        f"attribute_not_exists({expression.name('members', user_id)})",
        f"size({members}) < {expression.number(max_members)}",
        f"{expression.name('invitations', invitation_id, 'tokenHash')} = "
        f"{expression.string(invitation.token_hash)}",
        f"{uses} < {expression.number(int(invitation.max_uses))}",
        f"{expression.name('invitations', invitation_id, 'expiresAt')} > "
        f"{expression.string(now)}",
    ])
    _transact_on_record([
        {"Update": _update_record(record.list_id, expression, update, condition)},
        {"Put": _membership_item(user_id, record.list_id, entry)},
    ])


# Invitations


def add_invitation(record: ListRecord, invitation_id: str, entry: InvitationEntry,
                   *, prune: list[str]) -> None:
    """Add an invitation, dropping `prune` (expired or used up) to make room, only while the
    record holds as many invitations as it did when read (so a racing add is seen)."""
    expression = _Expression()
    invitations = expression.name("invitations")
    update = (f"SET {expression.name('invitations', invitation_id)} = "
              f"{expression.value(_invitation_value(entry))}")
    if prune:
        update += " REMOVE " + ", ".join(expression.name("invitations", old) for old in prune)
    condition = f"size({invitations}) = {expression.number(len(record.invitations))}"
    with _dynamodb():
        try:
            _client().update_item(**_update_record(record.list_id, expression, update,
                                                   condition))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise RecordChanged(_record(error.response.get("Item"))) from None


def revoke_invitation(list_id: str, invitation_id: str) -> None:
    expression = _Expression()
    path = expression.name("invitations", invitation_id)
    with _dynamodb():
        try:
            _client().update_item(**_update_record(list_id, expression, f"REMOVE {path}",
                                                   f"attribute_exists({path})"))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise RecordChanged(_record(error.response.get("Item"))) from None


# The clean-up of deleted lists' tasks


def deleted_lists(limit: int) -> list[str]:
    with _dynamodb():
        page = _client().query(
            TableName=_table(), KeyConditionExpression="userID = :p",
            ExpressionAttributeValues={":p": {"S": PURGE_PARTITION}}, Limit=limit,
            ConsistentRead=True)
    return [raw["taskID"]["S"] for raw in page.get("Items", [])]


def delete_items(keys: list[tuple[str, str]]) -> None:
    """BatchWriteItem deletes, 25 to a request, again for what DynamoDB leaves unprocessed."""
    for start in range(0, len(keys), 25):
        pending = [{"DeleteRequest": {"Key": _key(p, s)}} for p, s in keys[start:start + 25]]
        for _ in range(5):
            if not pending:
                break
            with _dynamodb():
                reply = _client().batch_write_item(RequestItems={_table(): pending})
            pending = reply.get("UnprocessedItems", {}).get(_table(), [])
        if pending:
            raise StoreUnavailable("BatchWriteItem left items unprocessed five times")


def forget_deleted_list(list_id: str) -> None:
    delete_items([(PURGE_PARTITION, list_id)])


def touch_deleted_list(list_id: str, now: str) -> None:
    """Write the marker again (if it is still there), so that the stream carries a change of
    it to the dispatcher, which runs the next bounded clean-up."""
    try:
        with _dynamodb():
            _client().update_item(
                TableName=_table(), Key=_key(PURGE_PARTITION, list_id),
                UpdateExpression="SET purgedAt = :now",
                ConditionExpression="attribute_exists(taskID)",
                ExpressionAttributeValues={":now": {"S": now}})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
