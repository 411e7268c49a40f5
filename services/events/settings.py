"""How the dispatcher delivers: the retry schedule, the receiver's time limit, when a webhook
that keeps failing is switched off. A stack uses these defaults; the local server passes its
own (a shorter retry schedule for tests: `todo-api serve --webhook-retry-delays`)."""

import os
from typing import NamedTuple

# Seconds to wait before each retry: the first attempt, then 7 more over about 32.5 hours.
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
DELIVERY_TIMEOUT = 10.0  # a 2xx within this (connect, TLS, request, answer) is a success
INACTIVE_AFTER = 3 * 24 * 3600.0  # every delivery failing for this long: active = false
# SQS delays a message by at most 15 minutes: longer waits go round the queue again.
MAX_QUEUE_DELAY = 900.0


class Settings(NamedTuple):
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    timeout: float = DELIVERY_TIMEOUT
    inactive_after: float = INACTIVE_AFTER
    api_url: str = ""  # where task URLs in events point (the stage's URL), if known

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays) + 1


def from_environment() -> Settings:
    return Settings(api_url=os.environ.get("API_URL", "").rstrip("/"))
