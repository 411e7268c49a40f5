"""Webhook targets: which URLs a webhook may point at (SSRF rules), checked when a webhook is
saved and again before every delivery, since DNS can change in between.

A URL is client text: it is parsed strictly here (visible ASCII only, an absolute http(s)
URL with a host, no user info or fragment) rather than by urllib's lenient splitter. Its host
is then resolved, and every address it resolves to must be an ordinary public unicast
address: loopback, private, link-local (169.254.0.0/16, the instance metadata service),
carrier-grade NAT, unique-local, multicast, documentation and other special ranges are
refused, and so are IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4, Teredo),
which translators could turn into any of those. The dispatcher then connects to the very
address that was checked (services/events/delivery.py), so a name that resolves differently
a moment later (DNS rebinding) cannot move the request.

In a stack only https is allowed. The local server installs rules of its own
(emulator/events.py) that also let http://127.0.0.1 and http://localhost through, so
webhooks can be tried and tested on a laptop; no configuration of a deployed function can."""

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any, NamedTuple

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+\Z")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
_PORT = re.compile(r"^[0-9]{1,5}\Z")
_NUMBER = re.compile(r"^(0x[0-9a-f]*|[0-9]*)\Z")
_DOTTED_QUAD = re.compile(r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
                          r"(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\Z")

# Refused address ranges, each with the reason a client is told. Anything else must still be
# `is_global` (the IANA special-purpose registries, as Python knows them).
_REFUSED: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "a 'this network' address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "a special-purpose address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a 6to4 relay address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("::/128", "the unspecified address"),
    ("::1/128", "a loopback address"),
    ("::ffff:0:0/96", "an IPv4-mapped IPv6 address"),
    ("::/96", "an IPv4-compatible IPv6 address"),
    ("64:ff9b::/96", "a NAT64 address"),
    ("64:ff9b:1::/48", "a NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001::/32", "a Teredo address"),
    ("2001:db8::/32", "a documentation address"),
    ("2002::/16", "a 6to4 address"),
    ("fc00::/7", "a unique-local address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
)
_NETWORKS = [(ipaddress.ip_network(net), reason) for net, reason in _REFUSED]


class TargetRefused(Exception):
    """The URL is not one a webhook may point at; the message says why, for the client."""


class TargetRules(NamedTuple):
    """What a webhook may point at. A stack: https to public addresses only. `local_hosts`
    (the local server's rules only) are host names allowed over http or https without the
    address check, each mapped to the one address it is reached at."""

    local_hosts: dict[str, str] = {}  # noqa: RUF012 (a NamedTuple default, never mutated)


STACK_RULES = TargetRules()
_rules = STACK_RULES


def rules() -> TargetRules:
    return _rules


def install(new_rules: TargetRules) -> None:
    """The local server's own rules (emulator/events.py); a deployed function never calls it."""
    global _rules
    _rules = new_rules


class Target(NamedTuple):
    url: str  # as saved (scheme and host lower-cased)
    scheme: str  # "https" or "http"
    host: str  # a DNS name, a dotted quad, or an IPv6 address (without brackets)
    port: int
    path: str  # the request target: path and query, at least "/"

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _host(text: str) -> str:
    """A host as written in the authority: a bracketed IPv6 address, a dotted quad, or a DNS
    name (ASCII: punycode for others); lower-cased."""
    if text.startswith("["):
        if not text.endswith("]") or "%" in text:
            raise TargetRefused("has an invalid IPv6 address (zone ids are not allowed)")
        try:
            return str(ipaddress.IPv6Address(text[1:-1]))
        except ValueError:
            raise TargetRefused("has an invalid IPv6 address") from None
    host = text.lower()
    if not host:
        raise TargetRefused("has no host")
    if all(_NUMBER.match(label) for label in host.split(".")):
        # Numbers only: a dotted quad written the one usual way (no octal, hex or short forms
        # that resolvers read each their own way).
        if not _DOTTED_QUAD.match(host):
            raise TargetRefused("has an invalid IPv4 address (write it as four decimal parts)")
        return host
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise TargetRefused("has an invalid host name (letters, digits, hyphens and dots; "
                            "punycode for other characters)")
    return host


def parse(url: Any, rules: TargetRules | None = None) -> Target:
    """The URL, checked as text (not yet resolved): TargetRefused says what is wrong."""
    rules = rules or _rules
    if not isinstance(url, str):
        raise TargetRefused("must be a string")
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"must be at most {MAX_URL_LENGTH} characters")
    if not _VISIBLE_ASCII.match(url):
        raise TargetRefused("must be visible ASCII characters only (percent-encode others)")
    scheme_match = _SCHEME.match(url)
    if not scheme_match:
        raise TargetRefused("must be an absolute URL (https://host/path)")
    scheme = scheme_match.group(1).lower()
    rest = url[scheme_match.end():]
    if "#" in rest:
        raise TargetRefused("must not have a fragment (#...)")
    split = min([i for i in (rest.find("/"), rest.find("?")) if i >= 0] or [len(rest)])
    authority, path = rest[:split], rest[split:]
    if "@" in authority:
        raise TargetRefused("must not carry a user name or password")
    if authority.startswith("["):
        end = authority.find("]")
        host_text, port_text = authority[:end + 1], authority[end + 1:]
    else:
        host_text, _, port_text = authority.partition(":")
        port_text = ":" + port_text if _ else ""
    host = _host(host_text)
    port = 443 if scheme == "https" else 80
    if port_text:
        digits = port_text[1:]
        if not port_text.startswith(":") or not _PORT.match(digits) or not 0 < int(digits) < 65536:
            raise TargetRefused("has an invalid port")
        port = int(digits)
    local = host in rules.local_hosts
    if scheme != "https" and not (scheme == "http" and local):
        raise TargetRefused("must use https")
    shown_host = f"[{host}]" if ":" in host else host
    saved = f"{scheme}://{shown_host}{port_text}{path}"
    return Target(saved, scheme, host, port, path if path.startswith("/") else "/" + path)


def refusal(address: IPAddress) -> str | None:
    """Why a webhook may not reach this address, or None if it may."""
    for network, reason in _NETWORKS:
        if address.version == network.version and address in network:
            return reason
    if not address.is_global:
        return "a special-purpose address"
    return None


Resolver = Callable[..., list[tuple[Any, ...]]]


def resolve(target: Target, rules: TargetRules | None = None,
            resolver: Resolver | None = None) -> IPAddress:
    """The address to connect to: every address the host resolves to must be allowed (a
    name with one private address among public ones is refused), and the first is used."""
    rules = rules or _rules
    if target.host in rules.local_hosts:
        return ipaddress.ip_address(rules.local_hosts[target.host])
    try:
        literal: IPAddress | None = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = (resolver or socket.getaddrinfo)(target.host, target.port,
                                                     type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise TargetRefused(f"has a host name that does not resolve ({target.host})") from None
        addresses = []
        for entry in found:
            try:
                addresses.append(ipaddress.ip_address(str(entry[4][0]).split("%")[0]))
            except ValueError:
                continue
        if not addresses:
            raise TargetRefused(f"has a host name that does not resolve ({target.host})")
    for address in addresses:
        reason = refusal(address)
        if reason:
            shown = "" if literal is not None else f"{target.host} resolves to "
            raise TargetRefused(f"is not allowed: {shown}{address}, {reason}")
    return addresses[0]


def check(url: Any, rules: TargetRules | None = None,
          resolver: Resolver | None = None) -> tuple[Target, IPAddress]:
    """Parse and resolve: the target and the one address a delivery may connect to."""
    target = parse(url, rules)
    return target, resolve(target, rules, resolver)
