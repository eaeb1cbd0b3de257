"""One way to build a boto3 client, for every AWS API the pipeline calls (S3 deliveries, bronze on S3, the Price
List): boto3's standard retry mode (backoff with jitter on throttling and 5xx) and timeouts that let a hung
connection fail instead of a run. Credentials come from boto3's chain (environment, shared config/SSO, instance or
task role), never from this project; an S3-compatible endpoint is boto3's own AWS_ENDPOINT_URL_S3 or
``endpoint_url``."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config


def aws_client(
    service: str, *, attempts: int = 5, endpoint_url: str | None = None, region_name: str | None = None
) -> Any:
    """A boto3 client for ``service`` that tries each call up to ``attempts`` times."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url or None,
        region_name=region_name,
        config=Config(retries={"max_attempts": attempts, "mode": "standard"}, connect_timeout=10, read_timeout=60),
    )
