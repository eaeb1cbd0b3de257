"""The landing zone: every billing file exactly as delivered, with its checksum, written atomically.

Layout: ``<root>/<dataset>/versions/<sha256[:16]>/<key>`` for the files — every version received is kept, a
re-delivered key never overwrites the content an earlier load came from — and ``<root>/<dataset>/_manifest.jsonl``
for the record of what landed (source, key, size, sha256, delivery id, time). A file is first written under a
temporary name, its size and checksum verified against what the source listed, then renamed: a crash never leaves
a half file under a real name.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.housekeeping import fault_point, temporary_prefix
from ingest.landing.sources import Source, SourceObject, safe_relative_key

_CHUNK = 1 << 20


class LandingError(RuntimeError):
    """A delivery that could not be landed intact."""


@dataclass(frozen=True)
class LandedFile:
    dataset: str
    source: str
    key: str
    size: int
    sha256: str
    delivery_id: str
    landed_at: str
    path: str
    rows: int | None = None  # records parsed, for files read in place (token logs); billing lines are counted in bronze


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def delivery_id_of(files: list[tuple[str, str]]) -> str:
    """A delivery's id when the source gives none: a digest of its (key, checksum) pairs."""
    digest = hashlib.sha256()
    for key, checksum in sorted(files):
        digest.update(f"{key}\0{checksum}\n".encode())
    return digest.hexdigest()[:20]


class LandingZone:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, dataset: str, key: str, sha256: str) -> Path:
        """Where one version of an object lives: every content received is kept, under its checksum, so a later
        (perhaps rejected) delivery of the same key never replaces the one a good load came from."""
        return self.root / safe_relative_key(dataset) / "versions" / sha256[:16] / safe_relative_key(key)

    def _temporary(self, dataset: str) -> Path:
        folder = self.root / safe_relative_key(dataset)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=temporary_prefix(".landing"), dir=folder)
        os.close(fd)
        return Path(tmp_name)

    def _keep(self, tmp: Path, dataset: str, key: str, checksum: str) -> Path:
        dest = self.path_for(dataset, key, checksum)
        if dest.exists():  # this very content was received before: keep the first copy
            tmp.unlink()
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        fault_point("landing.write")
        os.replace(tmp, dest)
        return dest

    def land(self, source: Source, obj: SourceObject, dataset: str) -> tuple[Path, str]:
        """Copy one object into the landing zone atomically; returns (path, sha256)."""
        tmp = self._temporary(dataset)
        try:
            source.fetch(obj.key, tmp)
            size = tmp.stat().st_size
            if size != obj.size:
                raise LandingError(f"{source.name}:{obj.key}: listed {obj.size} bytes, received {size}")
            checksum = sha256_file(tmp)
            if obj.md5 and _md5_file(tmp) != obj.md5:
                raise LandingError(f"{source.name}:{obj.key}: content does not match the source's MD5 {obj.md5}")
            return self._keep(tmp, dataset, obj.key, checksum), checksum
        finally:
            tmp.unlink(missing_ok=True)

    def land_bytes(
        self, source: str, dataset: str, key: str, data: bytes, delivery_id: str | None = None
    ) -> LandedFile:
        """Land content produced by a query (no file to copy): written atomically, checksummed, recorded."""
        tmp = self._temporary(dataset)
        checksum = hashlib.sha256(data).hexdigest()
        try:
            tmp.write_bytes(data)
            dest = self._keep(tmp, dataset, key, checksum)
        finally:
            tmp.unlink(missing_ok=True)
        landed = LandedFile(
            dataset,
            source,
            key,
            len(data),
            checksum,
            delivery_id or checksum[:20],
            datetime.now(UTC).isoformat(),
            str(dest),
        )
        self.record([landed])
        return landed

    def record(self, files: list[LandedFile]) -> None:
        if not files:
            return
        manifest = self.root / safe_relative_key(files[0].dataset) / "_manifest.jsonl"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        with manifest.open("a") as fh:
            for f in files:
                fh.write(json.dumps(asdict(f), sort_keys=True) + "\n")

    def manifest(self, dataset: str) -> list[LandedFile]:
        path = self.root / safe_relative_key(dataset) / "_manifest.jsonl"
        if not path.exists():
            return []
        return [LandedFile(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]

    def land_delivery(
        self, source: Source, objects: list[SourceObject], dataset: str, delivery_id: str | None = None
    ) -> list[LandedFile]:
        """Land every object of one delivery and record them under one delivery id (the provider's, or a
        digest of the files' checksums)."""
        landed = [(obj, *self.land(source, obj, dataset)) for obj in objects]
        delivery = delivery_id or delivery_id_of([(obj.key, checksum) for obj, _, checksum in landed])
        now = datetime.now(UTC).isoformat()
        files = [
            LandedFile(dataset, source.name, obj.key, obj.size, checksum, delivery, now, str(path))
            for obj, path, checksum in landed
        ]
        self.record(files)
        return files
