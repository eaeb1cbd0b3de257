"""An HTTP proxy on 127.0.0.1 in front of moto's S3 server that injects the faults real S3 produces.

Faults are queued per (method, path regex) and consumed in order: "slowdown" answers 503 with S3's SlowDown
error document, "reset" closes the connection with a TCP RST before answering. Everything else is forwarded.
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
from collections import deque

from tests.fakes.http import LocalHttpServer, QuietHandler

SLOWDOWN_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message><RequestId>FAKE</RequestId></Error>"
)


class FaultProxy(LocalHttpServer):
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.faults: deque[tuple[str, re.Pattern[str], str]] = deque()
        self.injected: list[tuple[str, str, str]] = []
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy._take(self.command, self.path)
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if fault == "slowdown":
                    self.send_response(503)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(SLOWDOWN_BODY)))
                    self.end_headers()
                    self.wfile.write(SLOWDOWN_BODY)
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                upstream.close()

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        super().__init__(Handler)

    def inject(self, method: str, path_pattern: str, *faults: str) -> None:
        with self._lock:
            for fault in faults:
                self.faults.append((method, re.compile(path_pattern), fault))

    def _take(self, method: str, path: str) -> str | None:
        with self._lock:
            self.requests.append((method, path))
            for i, (m, pattern, fault) in enumerate(self.faults):
                if m == method and pattern.search(path):
                    del self.faults[i]
                    self.injected.append((method, path, fault))
                    return fault
        return None
