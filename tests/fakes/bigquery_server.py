"""A local BigQuery REST endpoint on 127.0.0.1 serving one billing export table to the real client.

It implements the calls google-cloud-bigquery makes for ``query_and_wait``: ``POST …/projects/{p}/queries``
(jobs.query), ``GET …/projects/{p}/jobs/{job}`` and ``GET …/projects/{p}/queries/{job}`` (further
pages). It does not run SQL: it applies the
@window_start / @window_end parameters to usage_start_time, as the real query's WHERE clause does, and records
every query so that tests can check what was asked.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

from tests.fakes.http import LocalHttpServer, QuietHandler

_KV = [{"name": "key", "type": "STRING"}, {"name": "value", "type": "STRING"}]
SCHEMA = [
    {"name": "billing_account_id", "type": "STRING"},
    {
        "name": "service",
        "type": "RECORD",
        "fields": [{"name": "id", "type": "STRING"}, {"name": "description", "type": "STRING"}],
    },
    {
        "name": "sku",
        "type": "RECORD",
        "fields": [{"name": "id", "type": "STRING"}, {"name": "description", "type": "STRING"}],
    },
    {"name": "usage_start_time", "type": "TIMESTAMP"},
    {"name": "usage_end_time", "type": "TIMESTAMP"},
    {
        "name": "project",
        "type": "RECORD",
        "fields": [
            {"name": "id", "type": "STRING"},
            {"name": "number", "type": "STRING"},
            {"name": "name", "type": "STRING"},
            {"name": "labels", "type": "RECORD", "mode": "REPEATED", "fields": _KV},
            {"name": "ancestry_numbers", "type": "STRING"},
        ],
    },
    {"name": "labels", "type": "RECORD", "mode": "REPEATED", "fields": _KV},
    {"name": "system_labels", "type": "RECORD", "mode": "REPEATED", "fields": _KV},
    {
        "name": "location",
        "type": "RECORD",
        "fields": [{"name": n, "type": "STRING"} for n in ("location", "country", "region", "zone")],
    },
    {"name": "export_time", "type": "TIMESTAMP"},
    {"name": "cost", "type": "FLOAT"},
    {"name": "currency", "type": "STRING"},
    {"name": "currency_conversion_rate", "type": "FLOAT"},
    {
        "name": "usage",
        "type": "RECORD",
        "fields": [
            {"name": "amount", "type": "FLOAT"},
            {"name": "unit", "type": "STRING"},
            {"name": "amount_in_pricing_units", "type": "FLOAT"},
            {"name": "pricing_unit", "type": "STRING"},
        ],
    },
    {
        "name": "credits",
        "type": "RECORD",
        "mode": "REPEATED",
        "fields": [
            {"name": "name", "type": "STRING"},
            {"name": "amount", "type": "FLOAT"},
            {"name": "full_name", "type": "STRING"},
            {"name": "id", "type": "STRING"},
            {"name": "type", "type": "STRING"},
        ],
    },
    {"name": "invoice", "type": "RECORD", "fields": [{"name": "month", "type": "STRING"}]},
    {"name": "cost_type", "type": "STRING"},
    {"name": "cost_at_list", "type": "FLOAT"},
    {
        "name": "resource",
        "type": "RECORD",
        "fields": [{"name": "name", "type": "STRING"}, {"name": "global_name", "type": "STRING"}],
    },
]
PAGE_SIZE = 500


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _encode(value, field: dict):
    if field.get("mode") == "REPEATED":
        return [{"v": _encode(item, {**field, "mode": "NULLABLE"})} for item in (value or [])]
    if value is None:
        return None
    if field["type"] == "RECORD":
        return {"f": [{"v": _encode(value.get(sub["name"]), sub)} for sub in field["fields"]]}
    if field["type"] == "TIMESTAMP":
        return str(int(_ts(value).timestamp() * 1_000_000))
    return str(value) if field["type"] in ("FLOAT", "INTEGER") else value


class FakeBigQuery(LocalHttpServer):
    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows  # export rows as in the JSONL export (ISO timestamps)
        self.queries: list[dict] = []
        self._results: dict[str, list[dict]] = {}
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                match = re.match(r"^/bigquery/v2/projects/([^/]+)/queries", self.path)
                if not match:
                    return self.send_json({"error": {"code": 404, "message": self.path}}, 404)
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.queries.append(request)
                params = {p["name"]: p["parameterValue"]["value"] for p in request.get("queryParameters", [])}
                start, end = _ts(params["window_start"]), _ts(params["window_end"])
                selected = [r for r in fake.rows if start <= _ts(r["usage_start_time"]) < end]
                job_id = f"job{len(fake.queries)}"
                fake._results[job_id] = selected
                self.send_json(fake._page(match.group(1), job_id, 0))

            def do_GET(self) -> None:
                job = re.match(r"^/bigquery/v2/projects/([^/]+)/jobs/([^/?]+)", self.path)
                if job:  # the client looks the job up before reading further pages
                    project, job_id = job.groups()
                    return self.send_json(
                        {
                            "kind": "bigquery#job",
                            "id": f"{project}:US.{job_id}",
                            "jobReference": {"projectId": project, "jobId": job_id, "location": "US"},
                            "status": {"state": "DONE"},
                            "configuration": {"query": {"query": fake.queries[-1]["query"], "useLegacySql": False}},
                            "statistics": {"query": {"totalBytesProcessed": "0"}},
                        }
                    )
                match = re.match(r"^/bigquery/v2/projects/([^/]+)/queries/([^/?]+)", self.path)
                if not match:
                    return self.send_json({"error": {"code": 404, "message": self.path}}, 404)
                token = parse_qs(urlparse(self.path).query).get("pageToken", ["0"])[0]
                self.send_json(fake._page(match.group(1), match.group(2), int(token)))

        super().__init__(Handler)

    def _page(self, project: str, job_id: str, offset: int) -> dict:
        rows = self._results[job_id]
        page = rows[offset : offset + PAGE_SIZE]
        body = {
            "kind": "bigquery#queryResponse",
            "jobReference": {"projectId": project, "jobId": job_id, "location": "US"},
            "jobComplete": True,
            "schema": {"fields": SCHEMA},
            "totalRows": str(len(rows)),
            "rows": [{"f": [{"v": _encode(row.get(f["name"]), f)} for f in SCHEMA]} for row in page],
        }
        if offset + PAGE_SIZE < len(rows):
            body["pageToken"] = str(offset + PAGE_SIZE)
        return body

    def client(self):
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        return bigquery.Client(
            project="acme-billing",
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=self.url),
        )
