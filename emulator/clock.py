"""Timers on a clock: the local stand-ins for SQS delays and EventBridge Scheduler run their
work when it comes due, on a small pool of threads (as Lambda would run it concurrently)."""

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("todo-api.clock")


class Timers:
    def __init__(self, name: str, workers: int = 4) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._jobs: dict[str, tuple[int, Callable[[], None]]] = {}
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._stopping = False
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._thread = threading.Thread(target=self._run, name=f"{name}-clock", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def at(self, key: str, when: float, job: Callable[[], None]) -> None:
        """Run `job` at `when` (epoch seconds); a job already under `key` is replaced."""
        with self._changed:
            order = next(self._order)
            self._jobs[key] = (order, job)
            heapq.heappush(self._heap, (when, order, key))
            self._changed.notify()

    def cancel(self, key: str) -> bool:
        with self._changed:
            return self._jobs.pop(key, None) is not None

    def pending(self) -> int:
        with self._changed:
            return len(self._jobs)

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._stopping:
                    now = time.time()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    wait = self._heap[0][0] - now if self._heap else None
                    self._changed.wait(timeout=wait)
                if self._stopping:
                    return
                _, order, key = heapq.heappop(self._heap)
                current = self._jobs.get(key)
                if current is None or current[0] != order:
                    continue  # cancelled, or replaced by a later entry
                del self._jobs[key]
                job = current[1]
            self._pool.submit(self._guarded, job)

    @staticmethod
    def _guarded(job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:
            log.exception("timed job failed")
