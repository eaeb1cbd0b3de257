"""Deliveries in an S3 bucket (or an S3-compatible store), through boto3.

Credentials come from boto3's standard chain (environment, shared config/SSO, instance or task role), never from
this project. An S3-compatible endpoint is set with boto3's own AWS_ENDPOINT_URL_S3 (or ``endpoint_url``).
API calls use botocore's "standard" retry mode (throttling such as 503 SlowDown, 5xx, connection errors, with
exponential backoff); the object download is retried here as well, because a connection reset in the middle of
a body is not retried by botocore.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from ingest.aws_client import aws_client
from ingest.landing.sources import SourceObject, SourceUnreachableError

RETRYABLE_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "InternalError",
        "ServiceUnavailable",
        "500",
        "503",
    }
)
_CHUNK = 1 << 20


class S3Source:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        client=None,
        attempts: int = 5,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bucket = bucket
        self.name = f"s3://{bucket}"
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep
        self._client = client or aws_client("s3", attempts=attempts, endpoint_url=endpoint_url, region_name=region_name)

    def list_objects(self, prefix: str = "") -> list[SourceObject]:
        objects = []
        try:
            for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    etag = item.get("ETag", "").strip('"')
                    md5 = etag if etag and "-" not in etag else None  # multipart ETags are not an MD5
                    written = item.get("LastModified")
                    modified = written.timestamp() if written else None
                    objects.append(SourceObject(item["Key"], int(item["Size"]), md5, modified))
        except (ClientError, BotoCoreError) as exc:  # retries are spent: no bucket, no permission, no credentials
            raise SourceUnreachableError(f"cannot list s3://{self.bucket}/{prefix}: {error_reason(exc)}") from exc
        return sorted(objects, key=lambda o: o.key)

    def fetch(self, key: str, dest: Path) -> None:
        for attempt in range(1, self.attempts + 1):
            try:
                body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
                with dest.open("wb") as fh:
                    for chunk in body.iter_chunks(_CHUNK):
                        fh.write(chunk)
                return
            except (ClientError, BotoCoreError, ConnectionError, OSError) as exc:
                if attempt == self.attempts or not _retryable(exc):
                    raise
                self._sleep(self.backoff_seconds * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))


def error_reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', exc)}"
    return str(exc)


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        return error.get("Code") in RETRYABLE_CODES or status in RETRYABLE_CODES
    return True  # connection resets, timeouts, truncated bodies
