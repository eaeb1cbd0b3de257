"""JSON-lines files read line by line, so that one bad line is one quarantine row, not a failed file.

Each line is checked (byte order mark, invalid UTF-8, truncated or invalid JSON, not an object) and the fields a
format declares are extracted with DuckDB's vectorized JSON functions: a value of the wrong type (say
"prompt_tokens": "many") is a quarantine reason too. Only the declared paths are read, so any other field —
messages, prompts, completions — is never extracted.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

BOM = "\ufeff"
REPLACEMENT = "\ufffd"
# path → DuckDB type of a field
Fields = dict[str, tuple[str, str]]


@cache
def _duckdb() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process (opening one per file costs more than parsing the file)."""
    return duckdb.connect()


def read_lines(path: Path) -> pl.DataFrame:
    """[source_row, line, defect] for every non-blank line (source_row counts every line, from 1)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":  # gzip, whatever the file is called
        data = gzip.decompress(data)
    try:
        text, lossy = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, lossy = data.decode("utf-8", errors="replace"), True
    lines = pl.DataFrame({"line": text.split("\n")}, schema={"line": pl.String}).with_row_index("source_row", offset=1)
    lines = lines.filter(pl.col("line").str.strip_chars() != "")
    with _duckdb().cursor() as con:
        con.register("lines", lines)
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
        .then(pl.lit("truncated or invalid JSON, or not an object"))
    )
    return lines.with_columns(source_row=pl.col("source_row").cast(pl.Int64), defect=defect)


def _structure(fields: Fields) -> str:
    """The JSON structure json_transform parses each line into once: every declared path, as text."""
    tree: dict = {}
    for json_path, _ in fields.values():
        node = tree
        parts = json_path.removeprefix("$.").split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = "VARCHAR"
    return json.dumps(tree)


def extract(lines: pl.DataFrame, fields: Fields) -> pl.DataFrame:
    """The declared fields of the good lines, typed; ``defect`` names a line's defect or a field of the wrong type."""
    good = lines.filter(pl.col("defect").is_null()).select("source_row", "line")
    selects, type_checks = [], []
    for column, (json_path, duck_type) in fields.items():
        text = "parsed." + ".".join(f'"{part}"' for part in json_path.removeprefix("$.").split("."))
        if duck_type == "VARCHAR":
            selects.append(f"{text} as {column}")
        else:
            selects.append(f"try_cast({text} as {duck_type}) as {column}")
            is_wrong = f"{text} is not null and try_cast({text} as {duck_type}) is null"
            type_checks.append(f"when {is_wrong} then '{column} is not {duck_type}'")
    wrong_type = f"case {' '.join(type_checks)} end" if type_checks else "null"
    structure = _structure(fields).replace("'", "''")
    with _duckdb().cursor() as con:
        con.register("good", good)
        extracted = con.sql(
            f"select source_row, {', '.join(selects)}, {wrong_type} as defect "
            f"from (select source_row, json_transform(line, '{structure}') as parsed from good) "
            "order by source_row"
        ).pl()
    bad = lines.filter(pl.col("defect").is_not_null()).select("source_row", "defect")
    return pl.concat([extracted, bad], how="diagonal_relaxed").sort("source_row")
