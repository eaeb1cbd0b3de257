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

        account, container, prefix = _two_names(uri, "az://account/container/prefix")
        return AzureBlobSource(account, container), prefix
    if uri.startswith("oci://"):
        from ingest.landing.oci import OciSource  # the oci SDK only when OCI Object Storage is used

        namespace, bucket, prefix = _two_names(uri, "oci://namespace/bucket/prefix")
        return OciSource(namespace, bucket), prefix
    if "://" in uri:
        raise ValueError(
            f"unsupported source {uri!r}: use s3://bucket/prefix, gs://bucket/prefix, az://account/container/prefix, "
            "oci://namespace/bucket/prefix or a local folder"
        )
    return LocalFolderSource(Path(uri)), ""


def _two_names(uri: str, form: str) -> tuple[str, str, str]:
    """``scheme://first/second/prefix`` as (first, second, prefix); both names are required."""
    first, _, rest = uri.split("://", 1)[1].partition("/")
    second, _, prefix = rest.partition("/")
    if not first or not second:
        raise ValueError(f"{uri!r} is not {form}")
    return first, second, prefix
