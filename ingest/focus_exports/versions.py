"""FOCUS datasets of any version 1.0-1.2: the version recognised from the columns, every value checked against the
specification, the result typed in FOCUS 1.2's columns.

What changed between the versions is data (``versions.toml``): the columns each version added, with their feature
level, nullability and type, and the allowed values of the enumerated columns. A file that breaks the
specification — a Mandatory column missing, a BilledCost that is not a number, a ChargeCategory the specification
does not define, a null where the column allows none — raises ``FocusFileError`` naming the file, the row (data
rows counted from 1, as a spreadsheet shows them) and the value.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

VERSIONS_FILE = Path(__file__).with_name("versions.toml")

_TYPES: dict[str, pl.DataType] = {
    "Decimal": pl.Float64(),
    "Date/Time": pl.Datetime("us"),
    "String": pl.String(),
    "JSON": pl.String(),
}


class FocusFileError(ValueError):
    """A file that is not a FOCUS 1.0-1.2 dataset, or a row that breaks the specification."""


@dataclass(frozen=True)
class Column:
    name: str
    version: str  # the version that added it
    level: str  # Mandatory, Recommended, Conditional
    nulls: bool
    type: str  # Decimal, Date/Time, String, JSON

    @property
    def dtype(self) -> pl.DataType:
        return _TYPES[self.type]


@dataclass(frozen=True)
class Spec:
    versions: tuple[str, ...]  # oldest first
    columns: dict[str, Column]  # every column of the newest version
    values: dict[str, tuple[str, ...]]

    def recognise(self, columns: set[str]) -> str:
        """The newest version whose added columns the dataset holds (the oldest when it holds none)."""
        found = self.versions[0]
        for version in self.versions[1:]:
            if any(c.version == version and c.name in columns for c in self.columns.values()):
                found = version
        return found

    def mandatory(self, version: str) -> list[str]:
        """The Mandatory columns of ``version`` (those of the versions before it included)."""
        upto = self.versions[: self.versions.index(version) + 1]
        return [c.name for c in self.columns.values() if c.level == "Mandatory" and c.version in upto]


@cache
def spec() -> Spec:
    with VERSIONS_FILE.open("rb") as fh:
        doc = tomllib.load(fh)
    columns: dict[str, Column] = {}
    versions = []
    for entry in doc["versions"]:
        versions.append(entry["version"])
        for name, props in entry["added"].items():
            columns[name] = Column(name, entry["version"], props["level"], props["nulls"], props["type"])
    values = {name: tuple(allowed) for name, allowed in doc["values"].items()}
    return Spec(tuple(versions), columns, values)


def read_file(path: Path) -> pl.DataFrame:
    """A FOCUS file as delivered: CSV (plain or gzip; every column read as text, typed by ``conform``) or Parquet."""
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return pl.read_parquet(path)
        if name.endswith((".csv", ".csv.gz")):
            return pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FocusFileError(f"{path.name}: cannot be read: {str(exc).splitlines()[0][:200]}") from exc
    raise FocusFileError(f"{path.name}: not a CSV, CSV.gz or Parquet file")


def conform(frame: pl.DataFrame, file: str) -> tuple[pl.DataFrame, str]:
    """``frame`` (one file of a FOCUS dataset) in FOCUS 1.2's columns, typed, and the version it was read as.

    Columns a version after the file's adds are null. The provider's own columns (``x_`` prefix, the
    specification's rule for custom columns) are kept as text; any other column is not FOCUS and is dropped."""
    focus = spec()
    version = focus.recognise(set(frame.columns))
    missing = [c for c in focus.mandatory(version) if c not in frame.columns]
    if missing:
        raise FocusFileError(f"{file}: not a FOCUS {version} dataset: Mandatory columns missing: {missing}")
    row = pl.int_range(pl.len(), dtype=pl.Int64).alias("__row")
    frame = frame.with_columns(row)
    typed = []
    for column in focus.columns.values():
        if column.name not in frame.columns:
            typed.append(pl.lit(None, dtype=column.dtype).alias(column.name))
            continue
        values = _typed(frame, column, file)
        _check_nulls(frame, values, column, file)
        _check_allowed(frame, values, column, focus.values.get(column.name), file)
        typed.append(pl.lit(values).alias(column.name))
    extra = [pl.col(c).cast(pl.String) for c in frame.columns if c.startswith("x_")]
    return frame.select(*typed, *extra), version


def _text(frame: pl.DataFrame, name: str) -> pl.Series:
    """The column as text with blanks as nulls (a CSV's empty field is a null in FOCUS)."""
    series = frame[name]
    if series.dtype != pl.String:
        return series.cast(pl.String)
    stripped = series.str.strip_chars()
    return stripped.set(stripped == "", None)


def _typed(frame: pl.DataFrame, column: Column, file: str) -> pl.Series:
    raw = frame[column.name]
    if column.type == "Decimal":
        if raw.dtype.is_numeric():
            return raw.cast(pl.Float64)
        text = _text(frame, column.name)
        values = text.cast(pl.Float64, strict=False)
        _refuse_unparsed(frame, text, values, column, "a number", file)
        return values
    if column.type == "Date/Time":
        if isinstance(raw.dtype, pl.Datetime):
            utc = raw.dt.convert_time_zone("UTC") if raw.dtype.time_zone else raw
            return utc.dt.replace_time_zone(None).cast(pl.Datetime("us"))
        text = _text(frame, column.name)
        values = _datetimes(text)
        _refuse_unparsed(frame, text, values, column, "an ISO 8601 date/time", file)
        return values
    text = _text(frame, column.name) if raw.dtype == pl.String else _json_text(raw)
    if column.type == "JSON":
        _refuse_bad_json(frame, text, column, file)
    return text


def _datetimes(text: pl.Series) -> pl.Series:
    """ISO 8601 date/times in UTC (with Z, an offset, or none: UTC) as naive UTC timestamps; others null."""
    with_offset = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC", strict=False).fill_null(
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_zone="UTC", strict=False)
    )
    naive = text.str.replace(r"Z$", "").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False)
    spaced = text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False)
    day = text.str.to_datetime("%Y-%m-%d", strict=False)
    utc = with_offset.dt.replace_time_zone(None)
    return utc.fill_null(naive).fill_null(spaced).fill_null(day).cast(pl.Datetime("us"))


def _json_text(raw: pl.Series) -> pl.Series:
    """A Parquet column that holds JSON as a structure (a map of tags, a struct) as JSON text."""
    if isinstance(raw.dtype, pl.List):  # a Parquet MAP: a list of key/value pairs
        return pl.Series(
            raw.name,
            [None if v is None else json.dumps({p["key"]: p["value"] for p in v}, sort_keys=True) for v in raw],
            dtype=pl.String,
        )
    if isinstance(raw.dtype, pl.Struct):
        return raw.struct.json_encode()
    return raw.cast(pl.String)


def _refuse_unparsed(
    frame: pl.DataFrame, text: pl.Series, values: pl.Series, column: Column, wanted: str, file: str
) -> None:
    bad = text.is_not_null() & values.is_null()
    if bad.any():
        first = int(frame["__row"].filter(bad)[0])
        raise FocusFileError(
            f"{file} row {first + 1}: {column.name} = {text[first]!r} is not {wanted} "
            f"({int(bad.sum())} rows like it); the file breaks the FOCUS specification and is refused"
        )


def _refuse_bad_json(frame: pl.DataFrame, text: pl.Series, column: Column, file: str) -> None:
    _json_objects(text.alias(column.name), frame["__row"], file)


def _json_objects(text: pl.Series, rows: pl.Series, file: str) -> dict[str, dict]:
    """Each distinct value of ``text`` parsed as a JSON object; one that is not refuses the file, its row named."""
    parsed = {}
    for value in text.drop_nulls().unique().to_list():
        try:
            obj = json.loads(value)
        except json.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict):
            first = int(rows.filter(text == value)[0])
            raise FocusFileError(
                f"{file} row {first + 1}: {text.name} = {value[:80]!r} is not a JSON object; the file is refused"
            )
        parsed[value] = obj
    return parsed


def _check_nulls(frame: pl.DataFrame, values: pl.Series, column: Column, file: str) -> None:
    if column.nulls or not values.null_count():
        return
    first = int(frame["__row"].filter(values.is_null())[0])
    raise FocusFileError(
        f"{file} row {first + 1}: {column.name} is empty ({values.null_count()} rows), and FOCUS allows no null "
        "there; the file is refused"
    )


def _check_allowed(
    frame: pl.DataFrame, values: pl.Series, column: Column, allowed: tuple[str, ...] | None, file: str
) -> None:
    if allowed is None:
        return
    bad = values.is_not_null() & ~values.is_in(list(allowed))
    if bad.any():
        first = int(frame["__row"].filter(bad)[0])
        raise FocusFileError(
            f"{file} row {first + 1}: {column.name} = {values[first]!r} is not a value FOCUS defines "
            f"({', '.join(allowed)}); the file is refused"
        )


def tag_pairs(tags: pl.Series, rows: pl.Series, file: str) -> pl.Series:
    """The Tags JSON objects as key/value lists (the rule sets' Map type); each distinct object parsed once, one
    that is not an object refusing the file with its row (``rows``) named. Values that are not text (a number,
    true) are written as JSON."""
    parsed = {
        value: [{"key": k, "value": v if isinstance(v, str) else json.dumps(v)} for k, v in sorted(obj.items())]
        for value, obj in _json_objects(tags, rows, file).items()
    }
    dtype = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))
    return pl.Series(tags.name, [None if v is None else parsed[v] for v in tags.to_list()], dtype=dtype)


def describe() -> str:
    """The versions' differences as Markdown (for ingest/MAPPINGS.md), generated from ``versions.toml``."""
    focus = spec()
    lines = [
        "### FOCUS versions read by the generic FOCUS source",
        "",
        "A later version only adds columns (none renamed, removed or retyped; the allowed values below are the same in "
        "every version). A file is read as the newest version whose added columns it holds; columns it lacks are null.",
        "",
        "| version | columns it adds (feature level, nulls allowed, type) |",
        "|---|---|",
    ]
    for version in focus.versions:
        added = [c for c in focus.columns.values() if c.version == version]
        cells = ", ".join(f"{c.name} ({c.level}, {'nulls' if c.nulls else 'no nulls'}, {c.type})" for c in added)
        lines.append(f"| {version} | {cells} |")
    lines += ["", "| enumerated column | allowed values |", "|---|---|"]
    lines += [f"| {name} | {', '.join(values)} |" for name, values in focus.values.items()]
    return "\n".join(lines) + "\n"
