"""A local AWS Price List Query API on 127.0.0.1 for boto3's real ``pricing`` client (JSON 1.1 protocol).

Serves ``AWSPriceListService.GetProducts``: the documents whose product attributes match every TERM_MATCH filter,
as JSON strings, in small pages (``NextToken``), so that a client that does not follow pages would miss
products. Records every request body; ``throttle_first`` answers that many requests with a ThrottlingException
first, as the real API does under load.
"""

from __future__ import annotations

import json

from tests.fakes.http import LocalHttpServer, QuietHandler


class FakePriceList(LocalHttpServer):
    def __init__(self, documents: list[dict], page_size: int = 3, throttle_first: int = 0) -> None:
        self.documents = documents
        self.page_size = page_size
        self.throttle_left = throttle_first
        self.requests: list[dict] = []
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                fake.requests.append({"target": self.headers.get("X-Amz-Target"), **body})
                if fake.throttle_left > 0:
                    fake.throttle_left -= 1
                    return self.send_json({"__type": "ThrottlingException", "message": "Rate exceeded"}, 400)
                if self.headers.get("X-Amz-Target") != "AWSPriceListService.GetProducts":
                    return self.send_json({"__type": "UnknownOperationException"}, 400)
                wanted = {f["Field"]: f["Value"] for f in body.get("Filters", [])}
                matching = [
                    d
                    for d in fake.documents
                    if d["serviceCode"] == body["ServiceCode"]
                    and all(d["product"]["attributes"].get(k) == v for k, v in wanted.items())
                ]
                start = int(body.get("NextToken") or 0)
                documents = matching[start : start + fake.page_size]
                page = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(d) for d in documents]}
                if start + fake.page_size < len(matching):
                    page["NextToken"] = str(start + fake.page_size)
                self.send_json(page)

        super().__init__(Handler)
