"""The lines of a JSON-lines file (plain or gzip), streamed in chunks of whole lines, each with its defect.

A compressed stream is inflated by hand, so that a file cut short yields every whole line before the break.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingest.tokens.records import duckdb_connection

BOM = "\ufeff"
REPLACEMENT = "\ufffd"
CHUNK_BYTES = 32 * 1024 * 1024  # line-by-line reading holds one chunk of this many bytes at a time
BAD_LINE = "truncated or invalid JSON, or not an object"


# What a compressed stream that breaks off raises while it is read.
STREAM_BREAKS = (EOFError, gzip.BadGzipFile, zlib.error)


def is_gzip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def open_bytes(path: Path):
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


def _blocks(path: Path, breaks: list[str] | None) -> Iterator[bytes]:
    """The file's (decompressed) bytes in blocks. A gzip stream is inflated by hand so that everything before a
    break is kept: with ``breaks`` given, a break is appended there and ends the file instead of raising."""
    if not is_gzip(path):
        with path.open("rb") as f:
            while block := f.read(CHUNK_BYTES):
                yield block
        return
    inflate = zlib.decompressobj(wbits=31)
    try:
        with path.open("rb") as f:
            while packed := f.read(CHUNK_BYTES // 8):
                yield inflate.decompress(packed)
                while inflate.eof and inflate.unused_data:  # members of a concatenated gzip file
                    rest, inflate = inflate.unused_data, zlib.decompressobj(wbits=31)
                    yield inflate.decompress(rest)
        if not inflate.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
    except STREAM_BREAKS as exc:
        if breaks is None:
            raise
        breaks.append(f"{type(exc).__name__}: {exc}")


def chunks(path: Path, breaks: list[str] | None = None) -> Iterator[bytes]:
    """The file's bytes in pieces of whole lines (about CHUNK_BYTES each). A compressed stream that breaks off
    raises, unless ``breaks`` is given: then the bytes before the break are yielded and the error appended."""
    rest = b""
    for data in _blocks(path, breaks):
        block = rest + data
        if len(block) < CHUNK_BYTES and data:
            rest = block
            continue
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        yield block[:cut]
        rest = block[cut:]
    if rest:
        cut = rest.rfind(b"\n") + 1
        if cut:
            yield rest[:cut]
        if rest[cut:]:
            yield rest[cut:]


def read_lines(data: bytes, first_row: int = 1) -> tuple[pl.DataFrame, int]:
    """[source_row, line, defect] for every non-blank line of ``data`` (rows numbered from ``first_row``), and
    the number of lines ``data`` holds, blank ones included."""
    try:
        text, lossy = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, lossy = data.decode("utf-8", errors="replace"), True
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    frame = pl.DataFrame({"line": lines}, schema={"line": pl.String}).with_row_index("source_row", offset=first_row)
    frame = frame.filter(pl.col("line").str.strip_chars() != "")
    with duckdb_connection().cursor() as con:
        con.register("lines", frame)
        valid = con.sql(
            "select case when json_valid(line) then json_type(line) = 'OBJECT' else false end as ok "
            "from lines order by source_row"
        ).pl()["ok"]
    defect = (
        pl.when(pl.col("line").str.starts_with(BOM))
        .then(pl.lit("byte order mark"))
        .when(pl.lit(lossy) & pl.col("line").str.contains(REPLACEMENT, literal=True))
        .then(pl.lit("invalid UTF-8"))
        .when(~pl.Series(valid).fill_null(False))
        .then(pl.lit(BAD_LINE))
    )
    return frame.with_columns(source_row=pl.col("source_row").cast(pl.Int64), defect=defect), len(lines)


def count_lines(path: Path) -> int:
    """Lines in the file (a last line without a newline counts)."""
    count, last = 0, b"\n"
    with open_bytes(path) as f:
        while block := f.read(CHUNK_BYTES):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")
