"""The parsers of client text the events feature adds: webhook URLs and their addresses
(SSRF rules), reminders (ISO 8601 durations, date-times with offsets) and webhook bodies.
Properties over all of Unicode and sizes past the limits: each parser accepts or says why
not, and never fails otherwise; the API never answers 5xx."""

import ipaddress
import socket
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.domain import reminders, targets
from services.domain.targets import TargetRefused, TargetRules
from tests.support import InProcessApi

QUICK = settings(max_examples=200, deadline=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))
LOCAL = TargetRules(local_hosts={"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"})
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=50),
                    lambda inner: st.lists(inner, max_size=6)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=6), max_leaves=20)
URLISH = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["https", "http", "HTTPS", "ftp", "javascript", ""]),
    st.one_of(st.sampled_from(["example.com", "127.0.0.1", "localhost", "[::1]", "10.0.0.1",
                               "a-b.example", "[::ffff:10.0.0.1]", "0x7f.0.0.1", ""]),
              st.text(max_size=30)),
    st.sampled_from(["", ":443", ":0", ":65536", ":x", ":"]),
    st.text(max_size=40))


def resolver(*addresses: str) -> Any:
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in addresses]
    return resolve


@QUICK
@given(st.one_of(st.text(max_size=2100), URLISH, JSON))
def test_any_text_is_a_target_or_refused_with_a_reason(url: Any) -> None:
    for rules in (targets.STACK_RULES, LOCAL):
        try:
            target = targets.parse(url, rules)
        except TargetRefused as refused:
            assert str(refused)
            continue
        assert isinstance(url, str) and len(url) <= targets.MAX_URL_LENGTH
        assert set(target.url) <= set(string.printable) - set(string.whitespace)
        assert target.scheme == "https" or target.host in rules.local_hosts
        assert 0 < target.port < 65536 and target.path.startswith("/")
        assert "@" not in url.split("/")[2] and "#" not in url


# Written out here, not taken from the module: what must never be reached.
NEVER = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "::/127",
    "::ffff:0:0/96", "64:ff9b::/96", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8")]


@QUICK
@given(st.one_of(st.ip_addresses(), st.sampled_from([
    ipaddress.ip_address(a) for a in ("127.0.0.1", "169.254.169.254", "100.64.1.1", "::1",
                                      "::ffff:127.0.0.1", "fd00::1", "93.184.215.14")])))
def test_every_address_is_allowed_only_if_public(address: Any) -> None:
    target = targets.Target("https://h/", "https", "h", 443, "/")
    try:
        found = targets.resolve(target, resolver=resolver(str(address)))
    except TargetRefused as refused:
        assert str(address) in str(refused)
        return
    assert found == address and address.is_global and not address.is_multicast
    assert not any(address.version == net.version and address in net for net in NEVER)


@pytest.mark.parametrize(("addresses", "refused"), [
    (["10.1.2.3"], "a private address"),
    (["169.254.169.254"], "a link-local address"),
    (["100.100.100.200"], "a carrier-grade NAT address"),
    (["::1"], "a loopback address"),
    (["fd00::5"], "a unique-local address"),
    (["::ffff:192.168.0.1"], "an IPv4-mapped IPv6 address"),
    (["93.184.215.14", "10.0.0.1"], "a private address"),  # one bad address is enough
    (["93.184.215.14"], None),
    (["2606:2800:220:1:248:1893:25c8:1946"], None),
])
def test_a_name_is_judged_by_every_address_it_resolves_to(addresses: list[str],
                                                           refused: str | None) -> None:
    if refused is None:
        _, address = targets.check("https://hooks.example.com/x", resolver=resolver(*addresses))
        assert str(address) == addresses[0]  # the address a delivery then connects to
        return
    with pytest.raises(TargetRefused, match=refused):
        targets.check("https://hooks.example.com/x", resolver=resolver(*addresses))


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def fails(*_: Any, **__: Any) -> Any:
        raise socket.gaierror("no such name")
    with pytest.raises(TargetRefused, match="does not resolve"):
        targets.check("https://nowhere.example.com/", resolver=fails)


def test_local_names_reach_the_loopback_address_only() -> None:
    assert str(targets.check("http://localhost:8080/x", LOCAL)[1]) == "127.0.0.1"
    assert targets.parse("http://localhost:8080/x?a=b", LOCAL).host_header == "localhost:8080"
    for url in ("http://127.0.0.2/", "http://[::1]/", "http://localhost./"):
        with pytest.raises(TargetRefused):
            targets.check(url, LOCAL)
    with pytest.raises(TargetRefused, match="https"):
        targets.parse("http://localhost/", targets.STACK_RULES)


@QUICK
@given(st.one_of(st.text(max_size=60), JSON))
def test_durations_and_moments_parse_or_say_no(text: Any) -> None:
    try:
        length = reminders.parse_duration(text)
        assert length <= reminders.MAX_BEFORE and text.startswith("P")
    except ValueError:
        pass
    try:
        moment = reminders.parse_moment(text)
        assert moment.utcoffset() is not None and text[-1] in "Z0123456789"
    except ValueError:
        pass


@QUICK
@given(JSON | st.lists(st.dictionaries(st.sampled_from(["before", "at", "x"]),
                                       st.text(max_size=45) | st.integers(), max_size=2),
                       max_size=7))
def test_reminder_lists_parse_or_say_why(value: Any) -> None:
    found, problem = reminders.parse(value)
    if problem is None:
        assert found is not None and len(found) <= reminders.MAX_REMINDERS
        assert all(len(r) == 1 for r in found)
    else:
        assert found is None and problem


@pytest.mark.parametrize(("text", "seconds"), [
    ("PT15M", 900), ("P1D", 86400), ("PT1H30M", 5400), ("P2W", 1209600), ("PT0S", 0),
    ("P1DT1S", 86401)])
def test_durations(text: str, seconds: int) -> None:
    assert reminders.parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["P", "PT", "P1Y", "P1M", "PT1.5H", "-PT1M", "P1DT", "p1d",
                                  "P367D", "PT15M\n", "P\u0661D", "P1W1D"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError):
        reminders.parse_duration(text)


API_BODY = st.fixed_dictionaries(
    {}, optional={"url": st.one_of(URLISH, st.text(max_size=80), JSON),
                  "events": st.one_of(st.lists(st.sampled_from(
                      ["task.created", "task.updated", "task.x", ""]), max_size=7), JSON),
                  "description": st.one_of(st.text(max_size=600), JSON),
                  "active": JSON})


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(body=API_BODY | JSON)
def test_webhook_bodies_never_make_a_server_error(gateway: Any, body: Any) -> None:
    api = InProcessApi(gateway)
    created = api.request("POST", "/webhooks", user="fuzz-webhooks", json_body=body)
    assert created.status in (201, 400, 409), created.body
    if created.status == 201:
        path = f"/webhooks/{created.json()['webhookId']}"
        patched = api.request("PATCH", path, user="fuzz-webhooks", json_body=body)
        assert patched.status in (200, 400), patched.body
        assert api.request("DELETE", path, user="fuzz-webhooks").status == 200


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(reminder_list=JSON | st.lists(st.dictionaries(st.sampled_from(["before", "at"]),
                                                      st.text(max_size=45), max_size=2),
                                      max_size=6),
       due=st.one_of(st.none(), st.sampled_from(["2026-12-31", "2026-12-31T17:00:00Z",
                                                  "2026-12-31T17:00:00+05:00"])))
def test_task_reminders_never_make_a_server_error(gateway: Any, reminder_list: Any,
                                                  due: str | None) -> None:
    api = InProcessApi(gateway)
    body: dict[str, Any] = {"title": "r", "reminders": reminder_list}
    if due:
        body["dueDate"] = due
    created = api.request("POST", "/todos", user="fuzz-reminders", json_body=body)
    assert created.status in (201, 400), created.body
    if created.status == 201:
        task = created.json()
        assert len(task["reminders"]) <= reminders.MAX_REMINDERS
        path = f"/todos/{task['taskId']}"
        patched = api.request("PATCH", path, user="fuzz-reminders",
                              json_body={"reminders": reminder_list})
        assert patched.status in (200, 400), patched.body
        assert api.request("DELETE", path, user="fuzz-reminders").status == 200
