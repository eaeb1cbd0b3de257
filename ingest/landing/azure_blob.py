"""Deliveries in an Azure Storage container (azure-storage-blob): Cost Management's exports — cost details and
FOCUS — in the storage account the export writes to.

Credentials, never from this repository: ``AZURE_STORAGE_CONNECTION_STRING`` when set (a storage emulator, or an
account key or SAS kept in the environment), else azure-identity's DefaultAzureCredential chain (environment
service principal, workload or managed identity, the Azure CLI's login) against
``https://<account>.blob.core.windows.net``. The client retries throttling and transient errors itself; the
listed Content-MD5 is checked again when a file is landed.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.landing.sources import SourceObject, SourceUnreachableError

CONNECTION_STRING = "AZURE_STORAGE_CONNECTION_STRING"


class AzureBlobSource:
    def __init__(self, account: str, container: str, *, client=None) -> None:
        self.account, self.container = account, container
        self.name = f"az://{account}/{container}"
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = _container_client(self.account, self.container)
        return self._client

    def list_objects(self, prefix: str = "") -> list[SourceObject]:
        from azure.core.exceptions import AzureError, ClientAuthenticationError

        try:
            objects = [_summary(blob) for blob in self.client.list_blobs(name_starts_with=prefix or None)]
        except ClientAuthenticationError as exc:  # no credential in the chain, or one the account refuses
            raise SourceUnreachableError(f"cannot list {self.name}/{prefix}: {_first_line(exc)}") from exc
        except AzureError as exc:  # no container, no permission, no connection (after the client's retries)
            raise SourceUnreachableError(f"cannot list {self.name}/{prefix}: {_first_line(exc)}") from exc
        return sorted(objects, key=lambda o: o.key)

    def fetch(self, key: str, dest: Path) -> None:
        with dest.open("wb") as fh:
            self.client.download_blob(key).readinto(fh)


def _summary(blob) -> SourceObject:
    md5 = blob.content_settings.content_md5 if blob.content_settings else None
    modified = blob.last_modified.timestamp() if blob.last_modified else None
    return SourceObject(blob.name, int(blob.size or 0), bytes(md5).hex() if md5 else None, modified)


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _container_client(account: str, container: str):
    from azure.storage.blob import ContainerClient

    connection = os.environ.get(CONNECTION_STRING)
    if connection:
        return ContainerClient.from_connection_string(connection, container)
    from azure.identity import DefaultAzureCredential

    return ContainerClient(f"https://{account}.blob.core.windows.net", container, credential=DefaultAzureCredential())
