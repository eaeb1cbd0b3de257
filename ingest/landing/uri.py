"""A delivery source from its URI: ``s3://bucket/prefix``, ``gs://bucket/prefix``,
``az://account/container/prefix``, ``oci://namespace/bucket/prefix`` or a local folder. Apart from the sources
themselves so that they never import each other: each cloud's client loads only when used."""

from __future__ import annotations

from pathlib import Path

from ingest.landing.sources import LocalFolderSource, Source


def open_source(uri: str, *, endpoint_url: str | None = None) -> tuple[Source, str]:
    """A source and the prefix to list under, from ``s3://bucket/prefix``, ``gs://bucket/prefix``,
    ``az://account/container/prefix``, ``oci://namespace/bucket/prefix`` or a folder."""
    if uri.startswith("s3://"):
        from ingest.landing.s3 import S3Source  # boto3 only when S3 is used

        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"no bucket in {uri!r}")
        return S3Source(bucket, endpoint_url=endpoint_url), prefix
    if uri.startswith("gs://"):
        from ingest.landing.gcs import GcsSource  # google-cloud-storage only when GCS is used

        bucket, _, prefix = uri.removeprefix("gs://").partition("/")
        if not bucket:
            raise ValueError(f"no bucket in {uri!r}")
        return GcsSource(bucket), prefix
    if uri.startswith("az://"):
        from ingest.landing.azure_blob import AzureBlobSource  # azure-storage-blob only when Azure Storage is used

        account, _, rest = uri.removeprefix("az://").partition("/")
        container, _, prefix = rest.partition("/")
        if not account or not container:
            raise ValueError(f"no storage account and container in {uri!r} (az://account/container/prefix)")
        return AzureBlobSource(account, container), prefix
    if uri.startswith("oci://"):
        from ingest.landing.oci import OciSource  # the oci SDK only when OCI Object Storage is used

        namespace, _, rest = uri.removeprefix("oci://").partition("/")
        bucket, _, prefix = rest.partition("/")
        if not namespace or not bucket:
            raise ValueError(f"no namespace and bucket in {uri!r} (oci://namespace/bucket/prefix)")
        return OciSource(namespace, bucket), prefix
    if "://" in uri:
        raise ValueError(
            f"unsupported source {uri!r}: use s3://bucket/prefix, gs://bucket/prefix, az://account/container/prefix, "
            "oci://namespace/bucket/prefix or a local folder"
        )
    return LocalFolderSource(Path(uri)), ""
