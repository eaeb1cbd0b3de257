"""Bronze on object storage: the bronze folder copied to an S3 prefix in the same layout, and read there in place.

Ingest writes bronze into the data directory first, always: a partition is replaced there by renames, atomically,
with a journal for a kill between them — guarantees a bucket cannot give (S3 has no rename and no multi-object
transaction). With ``CPT_BRONZE_URI=s3://bucket/prefix`` every bronze file is then copied to
``s3://bucket/prefix/<table>/<partition>/<file>.parquet`` before each dbt build that reads bronze
(`mirror_bronze`), and the build reads it from there: DuckDB through the S3 client of pyarrow's wheel, registered
as a file system of the connection (`register_bronze_filesystem`), Spark through its cluster's own ``s3://`` file
system.

The copy is a sync, idempotent and restartable: a file is uploaded when the bucket lacks it or holds other bytes
(its single-part ETag is the MD5 of the file, checked by S3 on upload), files the folder no longer has are deleted
after every upload succeeded, and nothing else is touched. A killed copy leaves the bucket behind, never the money:
the next build's copy finishes it before dbt reads a byte. Credentials come from boto3's and pyarrow's standard
chains (environment, shared config, instance or task role); an S3-compatible endpoint is boto3's own
``AWS_ENDPOINT_URL_S3``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from ingest.aws_client import aws_client
from ingest.landing.s3 import error_reason

# put_object's limit; bronze parts are a day of one source each, far below it
SINGLE_UPLOAD_LIMIT = 5 * 1024**3
_DELETE_BATCH = 1000  # DeleteObjects' limit


@dataclass(frozen=True)
class BronzeLocation:
    bucket: str
    prefix: str  # '' or ending in '/'

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")


@dataclass(frozen=True)
class MirrorReport:
    uploaded: int
    deleted: int
    unchanged: int
    bytes_uploaded: int

    def summary(self) -> str:
        return (
            f"{self.uploaded} bronze files uploaded ({self.bytes_uploaded:,} bytes), {self.deleted} deleted, "
            f"{self.unchanged} unchanged"
        )


class BronzeLocationError(ValueError):
    """CPT_BRONZE_URI names something bronze cannot be read from."""


def object_storage(uri: str, bronze_root: Path) -> BronzeLocation | None:
    """Where bronze is read from: None for the data directory's own folder, else its S3 prefix. Any other value
    is refused by name (a second local folder would be a copy nobody keeps in sync)."""
    if not uri or Path(uri).expanduser().resolve() == bronze_root.resolve():
        return None
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise BronzeLocationError(
            f"CPT_BRONZE_URI={uri}: bronze is read from the data directory ({bronze_root}) or an S3 prefix "
            "(s3://bucket/prefix)"
        )
    prefix = parsed.path.strip("/")
    return BronzeLocation(parsed.netloc, f"{prefix}/" if prefix else "")


def bronze_files(bronze_root: Path) -> dict[str, Path]:
    """Every file a bronze reader sees, by its path under the folder: ``*.parquet`` outside hidden folders (the
    staging area, files still being written). The typed ``_empty`` files are included."""
    files = {}
    for path in bronze_root.rglob("*.parquet"):
        relative = path.relative_to(bronze_root)
        if not any(part.startswith(".") for part in relative.parts) and path.is_file():
            files[relative.as_posix()] = path
    return dict(sorted(files.items()))


def mirror_bronze(bronze_root: Path, location: BronzeLocation, *, client: Any = None) -> MirrorReport:
    """Make ``location`` hold exactly the bronze files of ``bronze_root``: upload new and changed files, then
    delete what the folder no longer has. A bucket that cannot be listed or written (retries spent) is an error
    naming it."""
    try:
        return _mirror(bronze_root, location, client or aws_client("s3"))
    except (ClientError, BotoCoreError) as exc:
        reason = error_reason(exc)
        raise BronzeLocationError(f"CPT_BRONZE_URI={location.uri}: cannot copy bronze there: {reason}") from exc


def _mirror(bronze_root: Path, location: BronzeLocation, s3: Any) -> MirrorReport:
    remote = _remote_md5s(s3, location)
    local = bronze_files(bronze_root)
    uploaded = unchanged = sent = 0
    for relative, path in local.items():
        digest = _md5(path)
        if remote.get(relative) == digest.hex():
            unchanged += 1
            continue
        size = path.stat().st_size
        if size > SINGLE_UPLOAD_LIMIT:
            raise BronzeLocationError(f"{path}: {size:,} bytes, above a single upload's 5 GiB")
        with path.open("rb") as body:
            s3.put_object(
                Bucket=location.bucket,
                Key=location.prefix + relative,
                Body=body,
                ContentMD5=base64.b64encode(digest).decode(),
            )
        uploaded += 1
        sent += size
    gone = sorted(set(remote) - set(local))
    for start in range(0, len(gone), _DELETE_BATCH):
        batch = [{"Key": location.prefix + relative} for relative in gone[start : start + _DELETE_BATCH]]
        answer = s3.delete_objects(Bucket=location.bucket, Delete={"Objects": batch, "Quiet": True})
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise OSError(f"cannot delete s3://{location.bucket}/{first['Key']}: {first.get('Code')}")
    return MirrorReport(uploaded, len(gone), unchanged, sent)


def _remote_md5s(s3: Any, location: BronzeLocation) -> dict[str, str]:
    """The bronze files already in the bucket, by path under the prefix: their MD5 ("" for a multipart upload,
    whose ETag is not one: such a file is uploaded again)."""
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=location.bucket, Prefix=location.prefix):
        for item in page.get("Contents", []):
            relative = item["Key"][len(location.prefix) :]
            if relative.endswith(".parquet"):
                etag = item.get("ETag", "").strip('"')
                found[relative] = "" if "-" in etag else etag
    return found


def _md5(path: Path) -> bytes:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()


def register_bronze_filesystem(connection: Any, environ: Mapping[str, str] | None = None) -> None:
    """Let a DuckDB connection read ``s3://`` paths when bronze is on S3: pyarrow's S3 client (in its wheel, with
    the AWS credential chain) as an fsspec file system of the connection. A no-op for local bronze."""
    environ = os.environ if environ is None else environ
    if not environ.get("CPT_BRONZE_URI", "").startswith("s3://"):
        return
    from fsspec.implementations.arrow import ArrowFSWrapper
    from pyarrow import fs

    endpoint = environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL")
    options: dict[str, Any] = {}
    if endpoint:
        parsed = urlparse(endpoint)
        options = {"endpoint_override": parsed.netloc or endpoint, "scheme": parsed.scheme or "https"}
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region:
        options["region"] = region

    class S3Bronze(ArrowFSWrapper):
        protocol = ("s3",)

    connection.register_filesystem(S3Bronze(fs.S3FileSystem(**options)))
