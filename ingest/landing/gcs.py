"""Deliveries in a Google Cloud Storage bucket (google-cloud-storage), e.g. billing export files.

Credentials: Application Default Credentials. The client verifies each download's checksum (CRC32C / MD5) and
retries transient errors itself; the listed MD5 is checked again when the file is landed.
"""

from __future__ import annotations

import base64
from pathlib import Path

from google.api_core.exceptions import GoogleAPIError
from google.auth.exceptions import GoogleAuthError

from ingest.landing.sources import SourceObject, SourceUnreachableError


class GcsSource:
    def __init__(self, bucket: str, *, client=None) -> None:
        self.bucket = bucket
        self.name = f"gs://{bucket}"
        self._client = client

    @property
    def client(self):
        if self._client is None:
            from google.cloud import storage

            self._client = storage.Client()
        return self._client

    def list_objects(self, prefix: str = "") -> list[SourceObject]:
        objects = []
        try:
            for blob in self.client.list_blobs(self.bucket, prefix=prefix or None):
                md5 = base64.b64decode(blob.md5_hash).hex() if blob.md5_hash else None
                modified = blob.updated.timestamp() if blob.updated else None
                objects.append(SourceObject(blob.name, int(blob.size or 0), md5, modified))
        except (
            GoogleAPIError,
            GoogleAuthError,
        ) as exc:  # no bucket, no permission, no credentials (the client has retried what can be retried)
            raise SourceUnreachableError(f"cannot list gs://{self.bucket}/{prefix}: {exc}") from exc
        return sorted(objects, key=lambda o: o.key)

    def fetch(self, key: str, dest: Path) -> None:
        self.client.bucket(self.bucket).blob(key).download_to_filename(str(dest))
