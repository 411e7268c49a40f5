"""Timers on a clock: the local stand-ins for SQS delays and EventBridge Scheduler run their
work when it comes due, on a few worker threads (as Lambda would run it concurrently).
The workers are daemon threads: a delivery waiting on a receiver does not hold up the
server's exit."""

import heapq
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger("todo-api.clock")


class Timers:
    def __init__(self, name: str, workers: int = 4) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._jobs: dict[str, tuple[int, Callable[[], None]]] = {}
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._stopping = False
        self._due: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._run, name=f"{name}-clock", daemon=True)]
        self._threads += [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                          for i in range(workers)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()
        for _ in self._threads[1:]:
            self._due.put(None)
        self._threads[0].join(timeout=5)

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
            self._due.put(job)

    def _work(self) -> None:
        while True:
            job = self._due.get()
            if job is None:
                return
            try:
                job()
            except Exception:
                log.exception("timed job failed")
