"""A local Cloud Storage JSON API endpoint on 127.0.0.1 serving files from a folder, for the real client.

``GET /storage/v1/b/{bucket}/o`` lists (with prefix and paging), ``GET /download/storage/v1/b/{bucket}/o/{name}``
with ``alt=media`` downloads, with the ``x-goog-hash`` header the client verifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from tests.fakes.http import LocalHttpServer, QuietHandler


class FakeGcs(LocalHttpServer):
    def __init__(self, bucket: str, root: Path, page_size: int = 2) -> None:
        self.bucket, self.root, self.page_size = bucket, root, page_size
        self.paths: list[str] = []
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                fake.paths.append(self.path)
                url = urlparse(self.path)
                query = parse_qs(url.query)
                listing = f"/storage/v1/b/{fake.bucket}/o"
                download = f"/download/storage/v1/b/{fake.bucket}/o/"
                status = 200
                if url.path == listing:
                    prefix = query.get("prefix", [""])[0]
                    names = sorted(p.relative_to(fake.root).as_posix() for p in fake.root.rglob("*") if p.is_file())
                    names = [n for n in names if n.startswith(prefix)]
                    start = int(query.get("pageToken", ["0"])[0])
                    body = {
                        "kind": "storage#objects",
                        "items": [fake._meta(n) for n in names[start : start + fake.page_size]],
                    }
                    if start + fake.page_size < len(names):
                        body["nextPageToken"] = str(start + fake.page_size)
                    data, ctype, extra = json.dumps(body).encode(), "application/json", {}
                elif url.path.startswith(download):
                    path = fake.root / unquote(url.path[len(download) :])
                    data, ctype = path.read_bytes(), "application/octet-stream"
                    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
                    extra = {"x-goog-hash": f"md5={md5}", "x-goog-stored-content-length": str(len(data))}
                else:
                    status, data, ctype, extra = 404, b'{"error": {"code": 404}}', "application/json", {}
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        super().__init__(Handler)

    def _meta(self, name: str) -> dict:
        data = (self.root / name).read_bytes()
        return {
            "kind": "storage#object",
            "name": name,
            "bucket": self.bucket,
            "size": str(len(data)),
            "md5Hash": base64.b64encode(hashlib.md5(data).digest()).decode(),
            "generation": "1",
        }

    def client(self):
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        return storage.Client(
            project="acme", credentials=AnonymousCredentials(), client_options={"api_endpoint": self.url}
        )
