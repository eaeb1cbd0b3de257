"""Where deliveries come from. A source lists objects under a prefix and copies one to a local path.

The local folder is the embedded default (the sample generator writes one); S3 and GCS implement the same
two methods, so the ingest code never knows which one it reads.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol


class UnsafeKeyError(ValueError):
    """An object key that would escape the landing folder."""


class SourceUnreachableError(OSError):
    """A configured source that cannot be listed or read: a missing bucket, no permission, no credentials, no
    connection. Never a reason to treat the source as empty."""


@dataclass(frozen=True)
class SourceObject:
    key: str  # POSIX-style, relative to the source root (a bucket's root for object stores)
    size: int
    md5: str | None = None  # hex MD5 of the content when the source knows it (S3 single-part ETag)
    modified: float | None = None  # when the object was last written (POSIX seconds), where the source says


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


def canonical_key(key: str) -> str:
    """The one spelling of a key: ``a//b``, ``./a/b`` and ``a/b/`` are all ``a/b`` (and land on the same file)."""
    return safe_relative_key(key).as_posix()


def index_by_key(objects: list[SourceObject]) -> dict[str, SourceObject]:
    """Objects by their canonical key, refusing two objects whose keys name the same file: landing both would
    silently keep one of them."""
    index: dict[str, SourceObject] = {}
    for obj in objects:
        key = canonical_key(obj.key)
        if key in index:
            raise UnsafeKeyError(f"object keys {index[key].key!r} and {obj.key!r} name the same file {key!r}")
        index[key] = obj
    return index


def _unreadable_folder(error: OSError) -> None:
    # os.walk skips a folder it cannot read unless told otherwise: its files would be missed without a word.
    raise SourceUnreachableError(f"cannot read {error.filename}: {error.strerror}") from error


class LocalFolderSource:
    """Deliveries in a local folder (or a mounted bucket)."""

    def __init__(self, root: Path, name: str = "local") -> None:
        self.root = Path(root)
        self.name = name

    def list_objects(self, prefix: str = "") -> list[SourceObject]:
        """Every file under ``prefix``; a symbolic link counts only when it stays inside the folder (a link out of
        it is skipped and named in ``links_refused``)."""
        base = self.root / safe_relative_key(prefix) if prefix else self.root
        self.links_refused: list[str] = []
        if not base.exists():
            return []
        if not self._inside(base):  # the prefix passes through a link out of the folder
            self.links_refused.append(base.relative_to(self.root).as_posix())
            return []
        objects = []
        for folder, dirs, files in os.walk(base, followlinks=False, onerror=_unreadable_folder):
            for name in [*dirs, *files]:
                path = Path(folder) / name
                if name.startswith(".") or not path.is_symlink() or self._inside(path):
                    continue
                self.links_refused.append(path.relative_to(self.root).as_posix())
                if name in dirs:
                    dirs.remove(name)
            for name in files:
                path = Path(folder) / name
                # The walk follows no link and starts inside: only a file that is a link can lead out.
                if not name.startswith(".") and path.is_file() and (not path.is_symlink() or self._inside(path)):
                    stat = path.stat()
                    objects.append(
                        SourceObject(path.relative_to(self.root).as_posix(), stat.st_size, modified=stat.st_mtime)
                    )
            dirs[:] = [d for d in dirs if not d.startswith(".")]
        return sorted(objects, key=lambda o: o.key)

    def _inside(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root.resolve())

    def fetch(self, key: str, dest: Path) -> None:
        shutil.copyfile(self.local_path(key), dest)

    def local_path(self, key: str) -> Path:
        path = self.root / safe_relative_key(key)
        if not self._inside(path):
            raise UnsafeKeyError(f"object key {key!r} is a link that leaves the source folder {self.root}")
        return path
