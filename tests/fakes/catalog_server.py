"""A local Cloud Billing catalog REST endpoint on 127.0.0.1 for the real CloudCatalogClient (REST transport).

Serves ``GET /v1/services`` and ``GET /v1/services/{id}/skus`` in small pages (``nextPageToken``), so that a
client that does not follow pages would miss SKUs. Records every request path.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.fakes.http import LocalHttpServer, QuietHandler

SERVICES = [
    {"name": "services/24E6-581D-38E5", "serviceId": "24E6-581D-38E5", "displayName": "BigQuery"},
    {"name": "services/6F81-5844-456A", "serviceId": "6F81-5844-456A", "displayName": "Compute Engine"},
]


class FakeCatalog(LocalHttpServer):
    def __init__(self, skus: list[dict], page_size: int = 4) -> None:
        self.skus = skus
        self.page_size = page_size
        self.paths: list[str] = []
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                fake.paths.append(self.path)
                url = urlparse(self.path)
                token = int(parse_qs(url.query).get("pageToken", ["0"])[0] or 0)
                if url.path == "/v1/services":
                    body = {"services": SERVICES}
                elif url.path == "/v1/services/6F81-5844-456A/skus":
                    page = fake.skus[token : token + fake.page_size]
                    body = {"skus": page}
                    if token + fake.page_size < len(fake.skus):
                        body["nextPageToken"] = str(token + fake.page_size)
                else:
                    body, status = {"error": {"code": 404, "message": url.path}}, 404
                    return self.send_json(body, status)
                self.send_json(body)

        super().__init__(Handler)
