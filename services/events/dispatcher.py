"""The dispatcher's work, whatever invoked it:

- a batch of the table's stream records: each task change becomes at most one event per
  subscribed webhook of each user who hears of it, written to the delivery log and queued;
  the task's reminder schedules are created, moved or deleted to match it; a webhook's test
  request becomes a webhook.test event; a deleted list's marker (written with the delete,
  and again by a run that left work) runs one bounded clean-up of deleted lists' tasks;
- a batch of queued deliveries: each is one attempt (signed, to the checked address, within
  the time limit); a failure is queued again after the next delay of the retry schedule,
  and after the last one the delivery is given up (dead-letter queue, `failed`);
- a reminder's schedule coming due: the task is read again, and the event is sent only if
  the reminder still falls at that moment (a schedule left behind by a change is harmless).

Nothing here runs on an API request: the API's writes only store the task."""

import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from models import Delivery
from models import delivery as delivery_keys
from models.delivery import DELIVERY_TTL
from services.data import webhooks as data
from services.domain import lists, reminders, targets
from services.domain.tasks import view
from services.domain.webhooks import TEST_EVENT
from services.edge import metrics
from services.edge.representation import list_path, task_path
from services.events import changes, delivery, signing
from services.events.ports import Message, Queue, Schedules
from services.events.settings import MAX_QUEUE_DELAY, Settings

log = logging.getLogger("todo-api.events")
Clock = Callable[[], float]


def _iso(moment: datetime | float) -> str:
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Dispatcher:
    def __init__(self, queue: Queue, schedules: Schedules, settings: Settings,
                 clock: Clock = time.time) -> None:
        self.queue = queue
        self.schedules = schedules
        self.settings = settings
        self.clock = clock

    # --- the table's stream -------------------------------------------------------------

    def on_stream(self, records: list[dict[str, Any]]) -> list[str]:
        """Handle records in order; on a failure, the sequence numbers from it on, which
        Lambda hands over again (the records before it are done)."""
        for position, record in enumerate(records):
            try:
                self._record(record)
            except Exception:
                log.exception("stream record failed", extra={
                    "eventID": record.get("eventID"), "eventName": record.get("eventName")})
                return [str(r.get("dynamodb", {}).get("SequenceNumber", ""))
                        for r in records[position:position + 1]]
        return []

    def _record(self, record: dict[str, Any]) -> None:
        change = changes.read(record)
        if isinstance(change, changes.TaskChange):
            self._reschedule(change)
            event = changes.task_event(change)
            if event is not None:
                kind, data_ = event
                self._publish(changes.audience(change), kind, data_, change.moment,
                              seed=change.record_id)
        elif isinstance(change, changes.ListChange):
            for said in changes.list_events(change):
                self._publish([said.user], said.kind, said.data, change.moment,
                              seed=f"{change.record_id}/{said.kind}/{said.subject}")
        elif isinstance(change, changes.PurgeRequest):
            done = lists.purge_and_continue()
            metrics.count("ListTasksPurged", done.tasks)
            log.info("deleted lists cleaned up", extra={
                "tasks": done.tasks, "lists": done.lists, "more": done.more})
        elif isinstance(change, changes.WebhookTest):
            self._test(change)

    def _with_urls(self, data_: dict[str, Any]) -> dict[str, Any]:
        """The task's or the list's URL, as the API's own answers carry it."""
        api = self.settings.api_url
        if not api:
            return data_
        if "task" in data_:
            return {**data_, "task": {**data_["task"], "url": api + task_path(data_["task"])}}
        return {**data_, "list": {**data_["list"], "url": api + list_path(data_["list"])}}

    def _publish(self, users: list[str], kind: str, data_: dict[str, Any], moment: datetime,
                 *, seed: str) -> None:
        """One event per user who hears of it, queued for each of their webhooks that
        subscribed to its type."""
        data_ = self._with_urls(data_)
        messages: list[Message] = []
        for user in users:
            hooks = [hook for hook in data.list_all(user) if hook.active and kind in hook.events]
            if not hooks:
                continue
            event_id = changes.event_id(moment, f"{seed}/{user}")
            body = self._body(kind, event_id, moment, user, data_)
            messages += self._start(user, [hook.webhook_id for hook in hooks], kind, event_id,
                                    body)
        self._enqueue(messages)

    @staticmethod
    def _body(kind: str, event_id: str, moment: datetime, user: str,
              data_: dict[str, Any]) -> str:
        event = {"type": kind, "eventId": event_id, "timestamp": _iso(moment), "userId": user,
                 "data": data_}
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))

    def _start(self, user: str, webhook_ids: list[str], kind: str, event_id: str,
               body: str) -> list[Message]:
        """A delivery log per webhook, and its first attempt's message; none for a delivery
        already logged (this record was handled before: Lambda retried the batch)."""
        now = self.clock()
        messages = []
        for webhook_id in webhook_ids:
            log_item = Delivery(
                delivery_keys.partition(user), delivery_keys.key(webhook_id, event_id),
                webhook_id=webhook_id, event_id=event_id, type=kind, state="pending",
                attempts=0, created_at=_iso(now), next_attempt_at=_iso(now),
                expires_at=int(now + DELIVERY_TTL))
            if data.start_delivery(log_item):
                messages.append({"userId": user, "webhookId": webhook_id, "eventId": event_id,
                                 "type": kind, "body": body, "attempt": 1, "notBefore": now})
        return messages

    def _enqueue(self, messages: list[Message]) -> None:
        if not messages:
            return
        metrics.count("EventsQueued", len(messages))
        try:
            self.queue.send(messages, 0)
        except Exception:
            # Undo the logs, so that the stream's retry of this record queues them again.
            for message in messages:
                try:
                    data.forget_delivery(message["userId"], message["webhookId"],
                                         message["eventId"])
                except Exception:
                    log.exception("could not forget a delivery that was not queued")
            raise

    def _test(self, request: changes.WebhookTest) -> None:
        hook = data.get(request.user_id, request.webhook_id)
        if hook is None:
            return
        body = self._body(TEST_EVENT, request.event_id, request.moment, request.user_id,
                          {"webhookId": request.webhook_id, "url": hook.url})
        self._enqueue(self._start(request.user_id, [request.webhook_id], TEST_EVENT,
                                  request.event_id, body))

    # --- reminders ----------------------------------------------------------------------

    def _reschedule(self, change: changes.TaskChange) -> None:
        """Keep one schedule per future reminder moment of the task: create or move it when
        the moment changes, delete it when the reminder goes (or the task is completed or
        deleted). Moments already past are never scheduled."""
        old, new = reminders.moments(change.old), reminders.moments(change.new)
        now = datetime.fromtimestamp(self.clock(), UTC)
        for index in sorted(set(old) | set(new)):
            before, after = old.get(index), new.get(index)
            if before == after:
                continue
            name = changes.schedule_name(change.partition, change.task_id, index)
            metrics.count("SchedulesChanged")
            if after is not None and after > now:
                self.schedules.put(name, after, {"reminder": {
                    "partition": change.partition, "taskId": change.task_id, "index": index,
                    "at": after.isoformat()}}, existing=before is not None and before > now)
            elif before is not None and before > now:
                self.schedules.delete(name)

    def on_reminder(self, payload: dict[str, Any]) -> None:
        partition, task_id = str(payload["partition"]), str(payload["taskId"])
        index, at = int(payload["index"]), str(payload["at"])
        item = data.task(partition, task_id)
        task = view(item) if item is not None else None
        due = reminders.moments(task).get(index)
        if task is None or due is None or due.isoformat() != at:
            log.info("reminder no longer holds", extra={"taskId": task_id, "index": index})
            return
        fired = {**task["reminders"][index], "index": index, "at": _iso(due)}
        metrics.count("RemindersFired")
        change = changes.TaskChange(partition, task_id, task, task, due, "")
        self._publish(changes.audience(change), "task.reminder",
                      {"task": task, "reminder": fired}, due,
                      seed=f"reminder/{partition}/{task_id}/{index}/{at}")

    # --- deliveries -----------------------------------------------------------------------

    def on_messages(self, records: list[dict[str, Any]]) -> list[str]:
        """Attempt each queued delivery (in parallel: each may wait for its receiver up to
        the time limit); the ids of those that failed to be handled, for SQS to hand over
        again (a delivery that failed is not one of them: it is queued for its retry)."""
        def handle(record: dict[str, Any]) -> str | None:
            try:
                self.attempt(json.loads(record["body"]))
                return None
            except Exception:
                log.exception("queued delivery failed", extra={
                    "messageId": record.get("messageId")})
                return str(record.get("messageId", ""))

        if len(records) == 1:
            failed = [handle(records[0])]
        else:
            with ThreadPoolExecutor(len(records)) as pool:
                failed = list(pool.map(handle, records))
        return [message_id for message_id in failed if message_id is not None]

    def attempt(self, message: Message) -> None:
        now = self.clock()
        wait = float(message["notBefore"]) - now
        if wait > 0.5:  # an SQS delay is at most 15 minutes: round the queue once more
            self.queue.send([message], min(wait, MAX_QUEUE_DELAY))
            return
        user, webhook_id = message["userId"], message["webhookId"]
        hook, secret = data.with_secret(user, webhook_id)
        if hook is None or secret is None:
            return  # deleted since: its deliveries go with it
        if not hook.active and message["type"] != TEST_EVENT:
            # Switched off (by its owner, or for failing): not a failure to keep.
            self._finish(message, delivery.Outcome(None, "webhook inactive"), given_up=True,
                         dead_letter=False)
            return
        outcome = self._post(hook.url, secret, message)
        log.info("delivery", extra={
            "webhookId": webhook_id, "eventId": message["eventId"], "type": message["type"],
            "attempt": message["attempt"], "status": outcome.status, "error": outcome.error,
            "latencyMs": outcome.latency_ms})
        last = int(message["attempt"]) >= self.settings.max_attempts
        self._finish(message, outcome, given_up=not outcome.delivered and last)
        if outcome.delivered:
            if hook.failing_since:
                data.webhook_recovered(user, webhook_id)
        else:
            if not last:
                self._retry(message)
            self._failing(user, webhook_id, hook.failing_since)

    def _post(self, url: str, secret: str, message: Message) -> delivery.Outcome:
        try:
            target, address = targets.check(url)  # again: DNS may have changed since saved
        except targets.TargetRefused as refused:
            return delivery.Outcome(None, f"url {refused}")
        body = message["body"].encode()
        headers = signing.headers(secret, message["eventId"], int(self.clock()), body)
        return delivery.post(target, address, body, headers, self.settings.timeout)

    def _finish(self, message: Message, outcome: delivery.Outcome, *, given_up: bool,
                dead_letter: bool = True) -> None:
        """The attempt on the delivery log; a delivery given up also goes to the dead-letter
        queue."""
        values: dict[str, Any] = {"attempts": int(message["attempt"]),
                                  "last_status": outcome.status, "last_error": outcome.error}
        remove = ["next_attempt_at"]
        if outcome.delivered:
            values |= {"state": "delivered", "delivered_at": _iso(self.clock())}
        elif given_up:
            values["state"] = "failed"
        else:
            delay = self.settings.retry_delays[int(message["attempt"]) - 1]
            values |= {"state": "pending", "next_attempt_at": _iso(self.clock() + delay)}
            remove = []
        for name in [n for n, v in values.items() if v is None]:
            values.pop(name)
            remove.append(name)
        data.record_attempt(message["userId"], message["webhookId"], message["eventId"],
                            values, tuple(remove))
        if outcome.delivered:
            metrics.count("Deliveries")
        else:
            metrics.count("DeliveryFailures")
        if given_up and dead_letter:
            metrics.count("DeliveriesGivenUp")
            self.queue.dead_letter({**message, "lastStatus": outcome.status,
                                    "lastError": outcome.error})

    def _retry(self, message: Message) -> None:
        delay = self.settings.retry_delays[int(message["attempt"]) - 1]
        self.queue.send([{**message, "attempt": int(message["attempt"]) + 1,
                          "notBefore": self.clock() + delay}], min(delay, MAX_QUEUE_DELAY))

    def _failing(self, user: str, webhook_id: str, since: str | None) -> None:
        """Every delivery failing for INACTIVE_AFTER: the webhook is switched off."""
        if since is None:
            data.webhook_failing(user, webhook_id, _iso(self.clock()))
            return
        started = datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
        if self.clock() - started >= self.settings.inactive_after:
            data.deactivate(user, webhook_id, _iso(self.clock()))
            log.warning("webhook switched off after failing deliveries",
                        extra={"webhookId": webhook_id, "failingSince": since})
