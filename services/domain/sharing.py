"""Sharing a list: its members and their roles, invitations (links holding a token that is
shown once and stored only as its SHA-256) and accepting them. Knows nothing of HTTP."""

import base64
import binascii
import hashlib
import hmac
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from models import InvitationEntry, ListRecord, MemberEntry
from services.data import lists as data
from services.domain.ids import uuid7
from services.domain.lists import (
    MAX_MEMBERS,
    MAX_OPEN_INVITATIONS,
    OWNER,
    Access,
    check_version,
    list_view,
    require,
    role_in,
    settle,
    shared_record,
)
from services.domain.tasks import now_iso
from services.errors import (
    InvitationExpired,
    InvitationNotFound,
    LimitReached,
    MemberNotFound,
)

TOKEN_PREFIX = "tdl_"  # noqa: S105 (a prefix that tells the token apart, not a secret)
_SECRET_BYTES = 32  # 256 random bits
_TOKEN_BYTES = 16 + 16 + _SECRET_BYTES  # the list id, the invitation id, the secret
TOKEN_LENGTH = len(TOKEN_PREFIX) + -(-_TOKEN_BYTES * 4 // 3)  # base64url without padding
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}[A-Za-z0-9_-]{{{TOKEN_LENGTH - len(TOKEN_PREFIX)}}}$")


# Tokens


def make_token(list_id: str, invitation_id: str) -> str:
    raw = uuid.UUID(list_id).bytes + uuid.UUID(invitation_id).bytes + os.urandom(_SECRET_BYTES)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_token(token: str) -> tuple[str, str] | None:
    """The list id and invitation id a token names, or None for anything this API could not
    have issued (the secret is checked against the stored hash, not here)."""
    if not _TOKEN.match(token):
        return None
    body = token[len(TOKEN_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _TOKEN_BYTES:
        return None
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != body:
        return None  # another spelling of the same bytes (unused trailing bits set)
    return str(uuid.UUID(bytes=raw[:16])), str(uuid.UUID(bytes=raw[16:32]))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Members


def member_view(user_id: str, entry: MemberEntry) -> dict[str, Any]:
    return {"userId": user_id, "role": entry.role, "joinedAt": entry.joined_at}


def members(access: Access) -> list[dict[str, Any]]:
    """Every member (any member may see them), the owner first, then by joining time."""
    record = access.record
    if record is None:
        return [{"userId": access.caller, "role": OWNER, "joinedAt": None}]
    ordered = sorted(record.members.items(),
                     key=lambda pair: (pair[1].role != OWNER, pair[1].joined_at, pair[0]))
    return [member_view(user_id, entry) for user_id, entry in ordered]


def _member(record: ListRecord, user_id: str) -> MemberEntry:
    entry = record.members.get(user_id)
    if entry is None:
        raise MemberNotFound(f"no member {user_id!r} in this list")
    return entry


def set_role(access: Access, user_id: str, role: str, *,
             expected_version: frozenset[int] | None = None) -> dict[str, Any]:
    """The owner makes a member an editor or a viewer (the owner's own role never changes).
    `expected_version`: If-Match, on the list's version."""
    caller = access.caller

    def attempt(record: ListRecord | None) -> dict[str, Any]:
        mine = role_in(record, caller)
        require(mine == OWNER, f"Only the list's owner may change roles; you are its {mine}")
        assert record is not None
        entry = _member(record, user_id)
        require(entry.role != OWNER, "The owner's role cannot change")
        check_version(record, expected_version)
        if entry.role != role:
            data.set_role(record, user_id, role, now=now_iso())
        return {"userId": user_id, "role": role, "joinedAt": entry.joined_at}

    return settle(access.list_id, attempt, shared_record(access))


def remove_member(access: Access, user_id: str, *,
                  expected_version: frozenset[int] | None = None) -> None:
    """The owner removes a member, or a member leaves; the owner cannot leave (it deletes the
    list instead). The member loses access on its very next request."""
    caller = access.caller

    def attempt(record: ListRecord | None) -> None:
        mine = role_in(record, caller)
        assert record is not None
        if user_id == caller:
            require(mine != OWNER, "The owner cannot leave its list; delete the list instead")
        else:
            require(mine == OWNER, f"Only the list's owner may remove others; you are its {mine}")
            _member(record, user_id)
        check_version(record, expected_version)
        data.remove_member(record, user_id, now=now_iso())

    settle(access.list_id, attempt, shared_record(access))


# Invitations


class NewInvitation(NamedTuple):
    role: str
    expires_in: int  # seconds
    max_uses: int


def _status(entry: InvitationEntry, now: str) -> str:
    if int(entry.uses) >= int(entry.max_uses):
        return "used"
    return "expired" if entry.expires_at <= now else "open"


def invitation_view(invitation_id: str, entry: InvitationEntry, now: str) -> dict[str, Any]:
    return {
        "invitationId": invitation_id,
        "role": entry.role,
        "createdAt": entry.created_at,
        "expiresAt": entry.expires_at,
        "maxUses": int(entry.max_uses),
        "uses": int(entry.uses),
        "status": _status(entry, now),
    }


def _iso_in(seconds: int) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def create_invitation(access: Access, spec: NewInvitation) -> dict[str, Any]:
    """A new invitation and its token (shown this once). The list remembers at most
    MAX_OPEN_INVITATIONS invitations; when it is full, the expired and used-up ones make
    room, and when all are open it is a 409."""
    caller = access.caller
    record = shared_record(access)
    invitation_id = uuid7()
    token = make_token(record.list_id, invitation_id)
    now = now_iso()
    entry = InvitationEntry(  # type: ignore[no-untyped-call]
        role=spec.role, token_hash=token_hash(token), created_at=now,
        expires_at=_iso_in(spec.expires_in), max_uses=spec.max_uses, uses=0,
    )

    def attempt(record: ListRecord | None) -> None:
        mine = role_in(record, caller)
        require(mine == OWNER, f"Only the list's owner may invite; you are its {mine}")
        assert record is not None
        prune: list[str] = []
        if len(record.invitations) >= MAX_OPEN_INVITATIONS:
            prune = [key for key, old in record.invitations.items()
                     if _status(old, now) != "open"]
            if len(record.invitations) - len(prune) >= MAX_OPEN_INVITATIONS:
                raise LimitReached("open-invitations", "A list may have at most "
                                   f"{MAX_OPEN_INVITATIONS} open invitations: revoke one first")
        data.add_invitation(record, invitation_id, entry, prune=prune)

    settle(record.list_id, attempt, record)
    return {**invitation_view(invitation_id, entry, now), "token": token}


def invitations(access: Access) -> list[dict[str, Any]]:
    """What the list remembers (open, expired, used up), oldest first, without tokens."""
    record = shared_record(access)
    mine = access.role
    require(mine == OWNER, f"Only the list's owner may see its invitations; you are its {mine}")
    now = now_iso()
    return [invitation_view(key, entry, now)
            for key, entry in sorted(record.invitations.items(),
                                     key=lambda pair: (pair[1].created_at, pair[0]))]


def revoke_invitation(access: Access, invitation_id: str, *,
                      expected_version: frozenset[int] | None = None) -> None:
    caller = access.caller

    def attempt(record: ListRecord | None) -> None:
        mine = role_in(record, caller)
        require(mine == OWNER, f"Only the list's owner may revoke invitations; you are its {mine}")
        assert record is not None
        if invitation_id not in record.invitations:
            raise InvitationNotFound("no such invitation")
        check_version(record, expected_version)
        data.revoke_invitation(record.list_id, invitation_id)

    settle(access.list_id, attempt, shared_record(access))


def accept(caller: str, token: str) -> dict[str, Any]:
    """Join the list a token invites to; 200 with the list as the new member sees it.
    Unknown, revoked or used up: InvitationNotFound; expired: InvitationExpired. Already a
    member (through this token or otherwise): nothing changes, and the list is the answer."""
    named = parse_token(token)
    if named is None:
        raise InvitationNotFound("no such invitation")
    list_id, invitation_id = named
    hashed = token_hash(token)

    def attempt(record: ListRecord | None) -> dict[str, Any]:
        if record is None:
            raise InvitationNotFound("no such invitation")
        entry = record.invitations.get(invitation_id)
        valid = entry is not None and hmac.compare_digest(entry.token_hash, hashed)
        member = record.members.get(caller)
        if member is not None and (valid or member.via == hashed):
            return list_view(record, caller)  # accepted before: nothing changes
        if entry is None or not valid:
            raise InvitationNotFound("no such invitation")
        now = now_iso()
        if entry.expires_at <= now:
            raise InvitationExpired("this invitation has expired")
        if int(entry.uses) >= int(entry.max_uses):
            raise InvitationNotFound("no such invitation")
        if len(record.members) >= MAX_MEMBERS:
            raise LimitReached("members", f"A list may have at most {MAX_MEMBERS} members")
        joined = MemberEntry(role=entry.role, joined_at=now, via=hashed)  # type: ignore[no-untyped-call]
        data.join(record, caller, joined, invitation_id=invitation_id, now=now,
                  max_members=MAX_MEMBERS)
        record.members[caller] = joined  # as the transaction left it
        record.version = int(record.version) + 1
        record.updated_at = now
        return list_view(record, caller)

    return settle(list_id, attempt, data.get_record(list_id))
