"""A Slack-compatible incoming webhook on 127.0.0.1: records every JSON body posted to it; `failing` makes it
answer 503 (an endpoint that is up but refuses)."""

from __future__ import annotations

import json

from tests.fakes.http import LocalHttpServer, QuietHandler


class WebhookServer(LocalHttpServer):
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.failing = False
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if server.failing:
                    self.send_json({"ok": False}, status=503)
                    return
                server.received.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        super().__init__(Handler)
        self.hook_url = f"{self.url}/services/T000/B000/secret"
