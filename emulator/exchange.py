"""What the emulator's parts hand each other: an HTTP answer, and the local site (the web app)
the gateway serves beside the API. Both the gateway and the web app import this, not each other."""

from dataclasses import dataclass
from typing import Protocol


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class LocalSite(Protocol):
    """The local web app's own paths (the gateway hands everything else to the API)."""

    def takes_body(self, method: str, path: str) -> bool: ...

    def handle(self, method: str, path: str, headers: list[tuple[str, str]],
               body: bytes) -> HttpResponse | None: ...
