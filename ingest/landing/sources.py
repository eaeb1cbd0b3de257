"""Where deliveries come from. A source lists objects under a prefix and copies one to a local path.

The local folder is the embedded default (the sample generator writes one); S3 and GCS implement the same
two methods, so the ingest code never knows which one it reads.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol


class UnsafeKeyError(ValueError):
    """An object key that would escape the landing folder."""


@dataclass(frozen=True)
class SourceObject:
    key: str  # POSIX-style, relative to the source root (a bucket's root for object stores)
    size: int
    md5: str | None = None  # hex MD5 of the content when the source knows it (S3 single-part ETag)


class Source(Protocol):
    name: str

    def list_objects(self, prefix: str = "") -> list[SourceObject]: ...

    def fetch(self, key: str, dest: Path) -> None: ...


def safe_relative_key(key: str) -> PurePosixPath:
    """The key as a relative path, refusing anything that could point outside a destination folder."""
    path = PurePosixPath(key)
    if not key or key.startswith(("/", "\\")) or path.is_absolute() or ".." in path.parts or "\\" in key:
        raise UnsafeKeyError(f"object key {key!r} would escape the landing folder")
    return path


def open_source(uri: str, *, endpoint_url: str | None = None) -> tuple[Source, str]:
    """A source and the prefix to list under, from ``s3://bucket/prefix``, ``gs://bucket/prefix`` or a folder."""
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
    if "://" in uri:
        raise ValueError(f"unsupported source {uri!r}: use s3://bucket/prefix, gs://bucket/prefix or a local folder")
    return LocalFolderSource(Path(uri)), ""


class LocalFolderSource:
    """Deliveries in a local folder (or a mounted bucket)."""

    def __init__(self, root: Path, name: str = "local") -> None:
        self.root = Path(root)
        self.name = name

    def list_objects(self, prefix: str = "") -> list[SourceObject]:
        base = self.root / safe_relative_key(prefix) if prefix else self.root
        if not base.exists():
            return []
        return sorted(
            (
                SourceObject(path.relative_to(self.root).as_posix(), path.stat().st_size)
                for path in base.rglob("*")
                if path.is_file() and not path.name.startswith(".")
            ),
            key=lambda o: o.key,
        )

    def fetch(self, key: str, dest: Path) -> None:
        shutil.copyfile(self.root / safe_relative_key(key), dest)

    def local_path(self, key: str) -> Path:
        return self.root / safe_relative_key(key)
