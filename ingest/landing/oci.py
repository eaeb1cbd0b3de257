"""Deliveries in an OCI Object Storage bucket (the ``oci`` SDK's object storage client): above all the cost
reports Oracle writes to the tenancy's report bucket — namespace ``bling``, bucket = the tenancy's OCID,
``reports/cost-csv/`` (and OCI's FOCUS reports under ``FOCUS Reports/``).

Credentials, never from this repository: the OCI config file and its API signing key (``OCI_CONFIG_FILE``,
default ``~/.oci/config``; profile ``OCI_CONFIG_PROFILE``, default ``DEFAULT``), or instance principals on an OCI
instance where ``OCI_CLI_AUTH=instance_principal`` (the OCI CLI's own switch). The endpoint is the region's unless
``CPT_OCI_OBJECT_STORAGE_ENDPOINT`` names another. The SDK retries throttling and transient errors; the listed MD5
is checked again when a file is landed.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from ingest.landing.sources import SourceObject, SourceUnreachableError

ENDPOINT_SETTING = "CPT_OCI_OBJECT_STORAGE_ENDPOINT"
_CHUNK = 1 << 20


class OciSource:
    def __init__(self, namespace: str, bucket: str, *, client=None, endpoint: str | None = None) -> None:
        self.namespace, self.bucket = namespace, bucket
        self.name = f"oci://{namespace}/{bucket}"
        self._client = client
        self._endpoint = endpoint

    @property
    def client(self):
        if self._client is None:
            self._client = _object_storage_client(self._endpoint or os.environ.get(ENDPOINT_SETTING) or None)
        return self._client

    def list_objects(self, prefix: str = "") -> list[SourceObject]:
        import oci

        objects, start = [], None
        try:
            while True:
                page = self.client.list_objects(
                    self.namespace, self.bucket, prefix=prefix or None, start=start, fields="name,size,md5,timeCreated"
                ).data
                objects += [_summary(o) for o in page.objects]
                start = page.next_start_with
                if not start:
                    break
        except (oci.exceptions.ServiceError, oci.exceptions.ClientError) as exc:
            # no bucket, no permission (a policy must let the tenancy read Oracle's report bucket), no credentials
            raise SourceUnreachableError(f"cannot list {self.name}/{prefix}: {_reason(exc)}") from exc
        return sorted(objects, key=lambda o: o.key)

    def fetch(self, key: str, dest: Path) -> None:
        response = self.client.get_object(self.namespace, self.bucket, key)
        with dest.open("wb") as fh:
            for chunk in response.data.raw.stream(_CHUNK, decode_content=False):
                fh.write(chunk)


def _summary(obj) -> SourceObject:
    # A multipart upload's md5 is of its parts ("…-3"), not of the content: not a checksum to check.
    md5 = base64.b64decode(obj.md5).hex() if obj.md5 and "-" not in obj.md5 else None
    modified = obj.time_created.timestamp() if obj.time_created else None
    return SourceObject(obj.name, int(obj.size or 0), md5, modified)


def _reason(exc: Exception) -> str:
    status = getattr(exc, "status", None)
    message = getattr(exc, "message", None) or str(exc)
    return f"{status} {message}".strip() if status else message.splitlines()[0]


def _object_storage_client(endpoint: str | None):
    import oci

    options = {"retry_strategy": oci.retry.DEFAULT_RETRY_STRATEGY}
    if endpoint:
        options["service_endpoint"] = endpoint
    if os.environ.get("OCI_CLI_AUTH") == "instance_principal":
        signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
        return oci.object_storage.ObjectStorageClient({"region": signer.region}, signer=signer, **options)
    location = os.environ.get("OCI_CONFIG_FILE", oci.config.DEFAULT_LOCATION)
    try:
        config = oci.config.from_file(location, os.environ.get("OCI_CONFIG_PROFILE", "DEFAULT"))
    except oci.exceptions.ClientError as exc:  # no file, no profile, a key that cannot be read
        raise SourceUnreachableError(f"no OCI credentials: {location}: {exc}") from exc
    return oci.object_storage.ObjectStorageClient(config, **options)
