"""A webhook receiver for todo-api, as small as it gets: it verifies every delivery with the
`standardwebhooks` library, drops an event id it has already handled (delivery is at least
once), prints the event and answers 204.

    WEBHOOK_SECRET=whsec_... python docs/receiver.py 8099
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

webhook = Webhook(os.environ["WEBHOOK_SECRET"])
handled: set[str] = set()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            event = webhook.verify(body, dict(self.headers))
        except WebhookVerificationError as error:
            print(f"refused: {error}", flush=True)
            self.send_response(400)
        else:
            if event["eventId"] not in handled:
                handled.add(event["eventId"])
                task = event["data"].get("task", {})
                print(f"verified {event['type']} {event['eventId']} {json.dumps(task)}",
                      flush=True)
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
