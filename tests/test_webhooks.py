"""The webhook routes as a client sees them, in-process (a stack's target rules: https to
public addresses only) and over HTTP to the local server (which also allows
http://127.0.0.1 and http://localhost): per route and role, the secret shown once, the limit,
validation, and each refused address class."""

import re
from typing import Any

import pytest

from tests.support import Api, HttpApi, InProcessApi

PUBLIC = "https://93.184.215.14/hook"
SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$")  # base64 of 32 bytes


def target_for(api: Api) -> str:
    """A URL both rule sets take; over HTTP one nobody answers on loopback (the local server's
    dispatcher really sends to it), in-process a public address (nothing is sent)."""
    return "http://127.0.0.1:9/hook" if isinstance(api, HttpApi) else PUBLIC


def create(api: Api, user: str, **fields: Any) -> dict[str, Any]:
    body = {"url": target_for(api), "events": ["task.created"], **fields}
    reply = api.request("POST", "/webhooks", user=user, json_body=body)
    assert reply.status == 201, reply.body
    created: dict[str, Any] = reply.json()
    return created


def test_create_shows_the_secret_once(api: Api, user: str) -> None:
    reply = api.request("POST", "/webhooks", user=user, json_body={
        "url": target_for(api), "events": ["task.created", "task.reminder"],
        "description": "my receiver"})
    assert reply.status == 201
    created = reply.json()
    assert SECRET.match(created["secret"])
    assert reply.headers["location"].endswith(f"/webhooks/{created['webhookId']}")
    assert created["active"] is True and created["description"] == "my receiver"
    assert created["events"] == ["task.created", "task.reminder"]
    listed = api.request("GET", "/webhooks", user=user).json()
    one = api.request("GET", f"/webhooks/{created['webhookId']}", user=user).json()
    patched = api.request("PATCH", f"/webhooks/{created['webhookId']}", user=user,
                          json_body={"events": ["task.deleted"]}).json()
    shown = {k: v for k, v in created.items() if k != "secret"}
    assert listed == [shown] and one == shown
    for answer in (listed[0], one, patched):
        assert "secret" not in answer
    assert create(api, user)["secret"] != created["secret"]


def test_every_webhook_route_is_the_owners_only(api: Api, user: str, other_user: str) -> None:
    mine = create(api, user)["webhookId"]
    theirs = create(api, other_user)["webhookId"]
    routes = [("GET", f"/webhooks/{mine}", None, 200),
              ("PATCH", f"/webhooks/{mine}", {"description": "x"}, 200),
              ("POST", f"/webhooks/{mine}/test", None, 202),
              ("GET", f"/webhooks/{mine}/deliveries", None, 200),
              ("DELETE", f"/webhooks/{mine}", None, 200)]
    for method, path, body, status in routes:
        refused = api.request(method, path, user=other_user, json_body=body)
        assert refused.status == 404, (method, path, refused.body)
        assert refused.json()["type"].endswith("webhook-not-found")
        assert api.request(method, path, user=user, json_body=body).status == status, path
    assert [h["webhookId"] for h in api.request("GET", "/webhooks", user=other_user).json()] \
        == [theirs]
    assert api.request("GET", "/webhooks", user=user).json() == []
    for method, path, body, _ in routes:  # and now it is gone for its owner too
        assert api.request(method, path, user=user, json_body=body).status == 404
    assert api.request("GET", f"/webhooks/{theirs}", user=other_user).status == 200


@pytest.mark.parametrize("webhook_id", ["nope", "0" * 100, "01a24e92-dd7f-70ba-b253-03deb1327acb"])
def test_an_unknown_webhook_is_404(api: Api, user: str, webhook_id: str) -> None:
    for method, suffix in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/test"),
                           ("GET", "/deliveries")]:
        body = {"active": False} if method == "PATCH" else None
        reply = api.request(method, f"/webhooks/{webhook_id}{suffix}", user=user, json_body=body)
        assert reply.status == 404, (method, suffix)


def test_routes_need_a_token(api: Api) -> None:
    for method, path in [("GET", "/webhooks"), ("POST", "/webhooks"),
                         ("GET", "/webhooks/x"), ("DELETE", "/webhooks/x")]:
        assert api.request(method, path).status == 401


def test_at_most_ten_webhooks(api: Api, user: str) -> None:
    made = [create(api, user)["webhookId"] for _ in range(10)]
    full = api.request("POST", "/webhooks", user=user,
                       json_body={"url": target_for(api), "events": ["task.created"]})
    assert full.status == 409 and full.json()["type"].endswith("too-many-webhooks")
    assert len(api.request("GET", "/webhooks", user=user).json()) == 10
    assert api.request("DELETE", f"/webhooks/{made[0]}", user=user).status == 200
    create(api, user)  # room again


def test_patch_changes_only_what_it_names(api: Api, user: str) -> None:
    created = create(api, user, description="d")
    path = f"/webhooks/{created['webhookId']}"
    reply = api.request("PATCH", path, user=user,
                        json_body={"description": None, "active": False})
    assert reply.status == 200
    patched = reply.json()
    assert patched["description"] is None and patched["active"] is False
    assert patched["url"] == created["url"] and patched["events"] == created["events"]
    assert patched["updatedAt"] >= created["updatedAt"]


@pytest.mark.parametrize(("body", "field"), [
    ({"events": ["task.created"]}, "url"),
    ({"url": PUBLIC}, "events"),
    ({"url": PUBLIC, "events": []}, "events"),
    ({"url": PUBLIC, "events": ["task.created", "task.created"]}, "events"),
    ({"url": PUBLIC, "events": ["task.exploded"]}, "events"),
    ({"url": PUBLIC, "events": "task.created"}, "events"),
    ({"url": PUBLIC, "events": ["task.created"], "active": False}, "active"),
    ({"url": PUBLIC, "events": ["task.created"], "secret": "whsec_x"}, "secret"),
    ({"url": PUBLIC, "events": ["task.created"], "colour": "red"}, "colour"),
    ({"url": PUBLIC, "events": ["task.created"], "description": "x" * 501}, "description"),
    ({"url": PUBLIC, "events": ["task.created"], "description": "a\x00b"}, "description"),
    ({"url": 42, "events": ["task.created"]}, "url"),
    ({"url": "", "events": ["task.created"]}, "url"),
    ({"url": "https://" + "a" * 2050, "events": ["task.created"]}, "url"),
])
def test_bad_bodies_are_400_naming_the_field(api: Api, user: str, body: dict[str, Any],
                                             field: str) -> None:
    reply = api.request("POST", "/webhooks", user=user, json_body=body)
    assert reply.status == 400, reply.body
    assert field in [error["field"] for error in reply.json()["errors"]]
    assert api.request("GET", "/webhooks", user=user).json() == []


def test_bad_patches_are_400(api: Api, user: str) -> None:
    path = f"/webhooks/{create(api, user)['webhookId']}"
    for body in ({}, {"active": "yes"}, {"url": "https://10.0.0.1/"}, {"events": None},
                 {"webhookId": "x"}, {"url": None}):
        assert api.request("PATCH", path, user=user, json_body=body).status == 400, body


# One URL per refused class: the address itself, or (in-process, where a stack's rules hold)
# a name that resolves to it.
REFUSED = {
    "loopback": "https://127.0.0.1/hook",
    "loopback-other": "https://127.8.9.10:8443/hook",
    "loopback-name": "https://localhost/hook",
    "private-10": "https://10.0.0.1/hook",
    "private-172": "https://172.16.5.4/hook",
    "private-192": "https://192.168.1.1/hook",
    "link-local-metadata": "https://169.254.169.254/latest/meta-data/",
    "carrier-grade-nat": "https://100.64.0.1/hook",
    "unspecified": "https://0.0.0.0/hook",
    "multicast": "https://224.0.0.1/hook",
    "documentation": "https://192.0.2.1/hook",
    "reserved": "https://240.0.0.1/hook",
    "ipv6-loopback": "https://[::1]/hook",
    "ipv6-unique-local": "https://[fd12:3456::1]/hook",
    "ipv6-unique-local-fc": "https://[fc00::1]/hook",
    "ipv6-link-local": "https://[fe80::1]/hook",
    "ipv4-mapped-loopback": "https://[::ffff:127.0.0.1]/hook",
    "ipv4-mapped-private": "https://[::ffff:10.0.0.1]/hook",
    "ipv4-mapped-metadata": "https://[::ffff:169.254.169.254]/hook",
    "nat64-private": "https://[64:ff9b::a00:1]/hook",
    "6to4-private": "https://[2002:a00:1::1]/hook",
    "octal-loopback": "https://0177.0.0.1/hook",
    "decimal-loopback": "https://2130706433/hook",
    "plain-http": "http://93.184.215.14/hook",
    "credentials": "https://user:pw@93.184.215.14/hook",
    "other-scheme": "ftp://93.184.215.14/hook",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_each_refused_address_class_is_400_on_save(gateway: Any, user: str, name: str) -> None:
    api = InProcessApi(gateway)
    reply = api.request("POST", "/webhooks", user=user,
                        json_body={"url": REFUSED[name], "events": ["task.created"]})
    assert reply.status == 400, (name, reply.body)
    [error] = reply.json()["errors"]
    assert error["field"] == "url"
    assert api.request("GET", "/webhooks", user=user).json() == []


@pytest.mark.parametrize("url", ["https://127.0.0.2/hook", "http://127.0.0.2/hook",
                                 "https://[::1]/hook", "https://10.0.0.1/hook",
                                 "https://169.254.169.254/", "http://93.184.215.14/hook",
                                 "http://localhost.localdomain/hook"])
def test_the_local_server_refuses_all_but_its_two_loopback_names(
        local_server: Any, user: str, url: str) -> None:
    api = HttpApi(local_server.url)
    reply = api.request("POST", "/webhooks", user=user,
                        json_body={"url": url, "events": ["task.created"]})
    assert reply.status == 400, (url, reply.body)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://localhost:9/x?y=1",
                                 "https://localhost:9/hook"])
def test_the_local_server_takes_loopback_receivers(local_server: Any, user: str,
                                                    url: str) -> None:
    api = HttpApi(local_server.url)
    reply = api.request("POST", "/webhooks", user=user,
                        json_body={"url": url, "events": ["task.created"]})
    assert reply.status == 201, reply.body
    assert reply.json()["url"] == url
