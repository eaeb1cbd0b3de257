"""Per-request token records from JSON lines or parquet, streamed by DuckDB straight into bronze parquet.

A format declares the fields it reads (``RecordFormat.fields``: JSON path → type) and how they become bronze
columns (``RecordFormat.bronze``, SQL). Only those paths are read, so any other field — messages, prompts,
completions — is never extracted.

Two ways through a JSON-lines file, both streaming (memory does not grow with the file):

- **fast**: DuckDB's parallel JSON reader in strict mode, the validation rules (``reason_sql``) applied on the
  fly and the rows copied to parquet. Any malformed line or invalid record stops it (nothing is kept);
- **line by line**: the file in chunks of lines; each line is checked (byte order mark, invalid UTF-8,
  truncated or invalid JSON, not an object), parsed with DuckDB's JSON functions, a value of the wrong type
  (``"prompt_tokens": "many"``) is a reason too. Every bad line is one quarantine row with its line number.

A clean file — nearly all of them — takes the fast way; a file with any bad line is read again line by line.

A compressed file cut short (a truncated ``.jsonl.gz``, a corrupt gzip stream) is read line by line up to the
break: the whole lines before it load like any others, the line the break cut is quarantined as invalid JSON, and
one more quarantine row (numbered after the last line read) says that the rest of the file could not be read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from ingest.schemas import INFERENCE_REQUESTS_SCHEMA, QUARANTINE_SCHEMA
from ingest.tokens.lines import BOM, STREAM_BREAKS, chunks, count_lines, is_gzip, open_bytes, read_lines
from ingest.tokens.records import bronze_select, duckdb_connection, quarantine_select, reason_sql

WAYS = ("fast", "tolerant", "line by line")  # tests set ("line by line",) to compare the ways


@dataclass(frozen=True)
class RecordFormat:
    """A per-request format: the raw fields read (name → (JSON path, DuckDB type)) and the bronze columns
    as SQL over those fields; bronze columns not named are null."""

    name: str
    fields: dict[str, tuple[str, str]]
    bronze: dict[str, str]

    def bronze_relation(self, raw: str) -> str:
        """SQL turning the raw relation (raw fields + source_row + defect) into bronze columns."""
        columns = [f"{self.bronze.get(c, 'null')} as {c}" for c in INFERENCE_REQUESTS_SCHEMA if c not in _LITERALS]
        return f"select source_row, defect, {', '.join(columns)} from ({raw})"


_LITERALS = ("source_format", "source_file")


@dataclass
class FileLoad:
    """What one source file gave: bronze part files written, rows in, loaded and quarantined."""

    parts: list[Path] = field(default_factory=list)
    rows_in: int = 0
    rows_loaded: int = 0
    quarantine: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=QUARANTINE_SCHEMA))
    way: str = "fast"


def sql_path(json_path: str) -> str:
    return ".".join(f'"{part}"' for part in json_path.removeprefix("$.").split("."))


def _typed(fields: dict[str, tuple[str, str]], text_of) -> tuple[list[str], str]:
    """Select expressions casting each field's text to its type, and the wrong-type defect expression."""
    selects, checks = [], []
    for column, (json_path, duck_type) in fields.items():
        text = text_of(json_path)
        if duck_type == "VARCHAR":
            selects.append(f"{text} as {column}")
        else:
            selects.append(f"try_cast({text} as {duck_type}) as {column}")
            checks.append(
                f"when {text} is not null and try_cast({text} as {duck_type}) is null "
                f"then '{column} is not {duck_type}'"
            )
    return selects, (f"case {' '.join(checks)} end" if checks else "null")


def _field_tree(fields: dict[str, tuple[str, str]], leaf) -> dict:
    """The declared JSON paths as a nested dict, each leaf ``leaf(type)``."""
    tree: dict = {}
    for json_path, duck_type in fields.values():
        node = tree
        parts = json_path.removeprefix("$.").split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = leaf(duck_type)
    return tree


def columns_spec(fields: dict[str, tuple[str, str]]) -> str:
    """read_json's ``columns``: every declared path with its type, nested as in the record. In strict mode a
    value of another type stops the fast way, and the line-by-line way names the field."""

    def type_of(node) -> str:
        if isinstance(node, str):
            return node
        return "STRUCT(" + ", ".join(f'"{k}" {type_of(v)}' for k, v in node.items()) + ")"

    tree = _field_tree(fields, lambda duck_type: duck_type)
    return "{" + ", ".join(f"'{k}': '{type_of(v)}'" for k, v in tree.items()) + "}"


def _structure(fields: dict[str, tuple[str, str]]) -> str:
    """The JSON structure json_transform parses a line into once: every declared path, as text."""
    return json.dumps(_field_tree(fields, lambda _: "VARCHAR"))


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _write(con: duckdb.DuckDBPyConnection, select: str, dest: Path) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    return con.execute(f"copy ({select}) to {_quote(dest)} (format parquet, compression snappy)").fetchall()[0][0]


def _checked(fmt: RecordFormat, raw: str, log_day: date | None) -> str:
    return f"select *, {reason_sql(log_day)} as reason from ({fmt.bronze_relation(raw)})"


def load_jsonl(path: Path, fmt: RecordFormat, source_file: str, log_day: date | None, out: Path) -> FileLoad:
    """Load one JSON-lines file (plain or gzip) into bronze part files ``out``-N.parquet: the fast way, else
    the tolerant way, else line by line (see the module's docstring)."""
    try:
        with open_bytes(path) as f:
            starts_with_bom = f.read(3) == BOM.encode()
        # DuckDB's reader skips a leading byte order mark; we quarantine that line, so such a file goes line by line
        if not starts_with_bom and WAYS != ("line by line",):
            for way in (_fast, _tolerant):
                loaded = way(path, fmt, source_file, log_day, out)
                if loaded is not None:
                    return loaded
    except STREAM_BREAKS:
        pass  # cut short: only line by line reads up to the break
    return _line_by_line(path, fmt, source_file, log_day, out)


def _fast(path: Path, fmt: RecordFormat, source_file: str, log_day: date | None, out: Path) -> FileLoad | None:
    selects = [f"{sql_path(json_path)} as {column}" for column, (json_path, _) in fmt.fields.items()]
    compression = "gzip" if is_gzip(path) else "none"
    raw = (
        f"select null::bigint as source_row, {', '.join(selects)}, null::varchar as defect "
        f"from read_json({_quote(path)}, format = 'newline_delimited', compression = '{compression}', "
        f"columns = {columns_spec(fmt.fields)})"
    )
    dest = out.with_name(f"{out.name}-0.parquet")
    strict = (
        f"select {bronze_select(fmt.name, source_file)} from ({_checked(fmt, raw, log_day)}) "
        "where case when reason is null then true else error('quarantine: ' || reason) end"
    )
    try:
        with duckdb_connection().cursor() as con:
            rows = _write(con, strict, dest)
    except duckdb.Error:  # a malformed line or an invalid record: read the file line by line instead
        dest.unlink(missing_ok=True)
        return None
    return FileLoad([dest], rows, rows, way="fast")


UNPARSED = "(line not parsed)"  # a stand-in reason, replaced by the line's own defect


def _tolerant(path: Path, fmt: RecordFormat, source_file: str, log_day: date | None, out: Path) -> FileLoad | None:
    """DuckDB's reader again, skipping errors: a malformed line gives a row of nulls, a value of the wrong type
    a reason. Rows are copied in file order, so a bad row's position is its line number (when the file has no
    blank lines; else ``None``: line by line). Only the bad lines are then read again, to name their defect."""
    selects, wrong_type = _typed(fmt.fields, sql_path)
    nothing_read = " and ".join(f"{sql_path(p)} is null" for p, _ in fmt.fields.values())
    text_spec = columns_spec({c: (p, "VARCHAR") for c, (p, _) in fmt.fields.items()})
    raw = (
        f"select null::bigint as source_row, {', '.join(selects)}, "
        f"case when {nothing_read} then '{UNPARSED}' else {wrong_type} end as defect "
        f"from read_json({_quote(path)}, format = 'newline_delimited', compression = "
        f"'{'gzip' if is_gzip(path) else 'none'}', ignore_errors = true, columns = {text_spec})"
    )
    staged = out.with_name(f"{out.name}-staged.parquet")
    dest = out.with_name(f"{out.name}-0.parquet")
    bronze = bronze_select(fmt.name, source_file)
    try:
        with duckdb_connection().cursor() as con:
            rows_in = _write(con, f"select {bronze}, reason from ({_checked(fmt, raw, log_day)})", staged)
            if rows_in != count_lines(path):
                return None
            loaded = _write(con, f"select {bronze} from read_parquet({_quote(staged)}) where reason is null", dest)
            bad = con.sql(
                "select file_row_number + 1 as source_row, request_id, reason "
                f"from read_parquet({_quote(staged)}, file_row_number = true) where reason is not null"
            ).pl()
    except duckdb.Error:
        dest.unlink(missing_ok=True)
        return None
    finally:
        staged.unlink(missing_ok=True)
    unparsed = bad.filter(pl.col("reason") == UNPARSED)["source_row"].to_list()
    defects = _defects_of_lines(path, set(unparsed))
    bad = bad.with_columns(
        reason=pl.when(pl.col("reason") == UNPARSED)
        .then(pl.col("source_row").replace_strict(defects, default=None, return_dtype=pl.String))
        .otherwise(pl.col("reason"))
    )
    with duckdb_connection().cursor() as con:
        con.register("bad", bad)
        quarantine = con.sql(f"select {quarantine_select(fmt.name, source_file)} from bad order by source_row").pl()
    return FileLoad([dest], rows_in, loaded, quarantine.cast(QUARANTINE_SCHEMA), way="tolerant")


def _defects_of_lines(path: Path, numbers: set[int]) -> dict[int, str]:
    """The defect of each line numbered in ``numbers`` (a line that is a JSON object but holds none of the
    format's fields has none: it is then missing its request id)."""
    if not numbers:
        return {}
    found: dict[int, str] = {}
    first_row = 1
    for chunk in chunks(path):
        lines = chunk.split(b"\n")
        if chunk.endswith(b"\n"):
            lines.pop()
        wanted = [n for n in range(first_row, first_row + len(lines)) if n in numbers]
        if wanted:
            picked, _ = read_lines(b"\n".join(lines[n - first_row] for n in wanted) + b"\n")
            for number, defect in zip(wanted, picked["defect"].to_list(), strict=True):
                found[number] = defect or "missing request id"
        first_row += len(lines)
    return found


def _line_by_line(path: Path, fmt: RecordFormat, source_file: str, log_day: date | None, out: Path) -> FileLoad:
    load = FileLoad(way="line by line")
    quarantined = []
    structure = _structure(fmt.fields).replace("'", "''")
    selects, wrong_type = _typed(fmt.fields, lambda p: "parsed." + sql_path(p))
    first_row = 1
    breaks: list[str] = []
    for number, chunk in enumerate(chunks(path, breaks)):
        lines, line_count = read_lines(chunk, first_row)
        first_row += line_count
        with duckdb_connection().cursor() as con:
            con.register("lines", lines)
            # parsed once into a table: referenced by every field, the parse must not run once per field
            con.execute(
                "create temp table parsed as select source_row, defect, case when defect is null "
                f"then json_transform(line, '{structure}') end as parsed from lines"
            )
            raw = f"select source_row, {', '.join(selects)}, coalesce(defect, {wrong_type}) as defect from parsed"
            con.execute(f"create temp table checked as {_checked(fmt, raw, log_day)}")
            con.execute("drop table parsed")
            dest = out.with_name(f"{out.name}-{number}.parquet")
            loaded = _write(
                con, f"select {bronze_select(fmt.name, source_file)} from checked where reason is null", dest
            )
            load.parts.append(dest)
            quarantined.append(
                con.sql(
                    f"select {quarantine_select(fmt.name, source_file)} from checked where reason is not null "
                    "order by source_row"
                ).pl()
            )
            con.execute("drop table checked")
        load.rows_in += lines.height
        load.rows_loaded += loaded
    if breaks:  # the rest of the file is one unreadable record: counted in, quarantined, never silently lost
        load.rows_in += 1
        quarantined.append(
            unreadable(
                fmt.name,
                source_file,
                first_row,
                f"compressed stream breaks off after line {first_row - 1} ({breaks[0]}): the rest of the file "
                f"could not be read; the {first_row - 1} lines before the break were read (valid ones loaded)",
            )
        )
    if quarantined:
        load.quarantine = pl.concat(quarantined).cast(QUARANTINE_SCHEMA)
    return load


def unreadable(source_format: str, source_file: str, source_row: int | None, reason: str) -> pl.DataFrame:
    """One quarantine row for what could not be read at all (a file, or the rest of one)."""
    with duckdb_connection().cursor() as con:
        return con.sql(
            f"select {quarantine_select(source_format, source_file)} from (select "
            f"cast({'null' if source_row is None else source_row} as bigint) as source_row, "
            f"null::varchar as request_id, '{reason.replace(chr(39), chr(39) * 2)}' as reason)"
        ).pl()


def load_parquet(path: Path, fmt: RecordFormat, source_file: str, log_day: date | None, out: Path) -> FileLoad:
    """Load one parquet file whose columns have the record's shape (nested structs as in the JSON record)."""
    selects, wrong_type = _typed(fmt.fields, sql_path)
    raw = (
        f"select file_row_number + 1 as source_row, {', '.join(selects)}, {wrong_type} as defect "
        f"from read_parquet({_quote(path)}, file_row_number = true)"
    )
    dest = out.with_name(f"{out.name}-0.parquet")
    with duckdb_connection().cursor() as con:
        con.execute(f"create temp view checked as {_checked(fmt, raw, log_day)}")
        try:
            loaded = _write(
                con, f"select {bronze_select(fmt.name, source_file)} from checked where reason is null", dest
            )
            quarantine = con.sql(
                f"select {quarantine_select(fmt.name, source_file)} from checked where reason is not null "
                "order by source_row"
            ).pl()
            rows_in = con.execute(f"select count(*) from read_parquet({_quote(path)})").fetchall()[0][0]
        finally:
            con.execute("drop view if exists checked")
    return FileLoad([dest], rows_in, loaded, quarantine.cast(QUARANTINE_SCHEMA), way="parquet")


def is_parquet(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PAR1"


def load_records(path: Path, fmt: RecordFormat, source_file: str, log_day: date | None, out: Path) -> FileLoad:
    """Load one file of ``fmt`` records, JSON lines (plain or gzip) or parquet, told from its bytes."""
    if is_parquet(path):
        return load_parquet(path, fmt, source_file, log_day, out)
    return load_jsonl(path, fmt, source_file, log_day, out)


def load_text_frame(
    frame: pl.DataFrame, fmt: RecordFormat, source_file: str, log_day: date | None, out: Path
) -> FileLoad:
    """Load records already split into text columns named as ``fmt.fields`` (a CSV export, say), with
    ``source_row``; a missing column is null, a value of the wrong type a quarantine reason."""
    present = set(frame.columns)
    text = frame.select(
        "source_row",
        *[pl.col(c).cast(pl.String) if c in present else pl.lit(None, dtype=pl.String).alias(c) for c in fmt.fields],
    )
    selects, wrong_type = _typed({c: (c, t) for c, (_, t) in fmt.fields.items()}, lambda c: f'"{c}"')
    raw = f"select source_row, {', '.join(selects)}, {wrong_type} as defect from text"
    dest = out.with_name(f"{out.name}-0.parquet")
    with duckdb_connection().cursor() as con:
        con.register("text", text)
        con.execute(f"create temp table checked as {_checked(fmt, raw, log_day)}")
        loaded = _write(con, f"select {bronze_select(fmt.name, source_file)} from checked where reason is null", dest)
        quarantine = con.sql(
            f"select {quarantine_select(fmt.name, source_file)} from checked where reason is not null "
            "order by source_row"
        ).pl()
        con.execute("drop table checked")
    return FileLoad([dest], text.height, loaded, quarantine.cast(QUARANTINE_SCHEMA), way="frame")


def read_back(load: FileLoad) -> pl.DataFrame:
    """The requests a load wrote, in file order (for callers that want a frame, and for tests)."""
    frames = [pl.read_parquet(p) for p in load.parts if p.exists()]
    return (
        pl.concat(frames).cast(pl.Schema(INFERENCE_REQUESTS_SCHEMA))
        if frames
        else pl.DataFrame(schema=INFERENCE_REQUESTS_SCHEMA)
    )
