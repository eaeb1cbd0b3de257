"""OCI cost reports (the ``lineItem/…``, ``product/…``, ``cost/…``, ``tags/…`` CSV.gz files Oracle writes to
the tenancy's report bucket, ``reports/cost-csv/<sequence>.csv.gz``) → landing zone → bronze
oci_billing_line_items, one partition per billing month.

A report file is an increment: Oracle writes a new one every few hours, never rewrites one, and books a
correction as new rows (``lineItem/isCorrection``) in a later file. Its name holds no month, so the months come
from the rows: every report file is landed, the months its ``lineItem/intervalUsageStart`` falls in are read, and
a month's delivery is the set of files holding its rows — each file contributing only that month's rows, so a
file that spans a month's end is split, never counted twice. The delivery id is a digest of those files'
checksums: a new report file makes a new delivery of its month, which replaces the month whole; an unchanged month
is skipped. A report that cannot be read is refused by name, and the months it may hold (the month it was written
in and the one before) are not replaced: bronze keeps their last good state. A report file already landed (same
key and size) is read from the landing zone, not fetched again.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingest.billing import (
    AmountLimits,
    BillingFileError,
    BillingFormat,
    BillingLoad,
    Delivery,
    load_deliveries,
    refused_load,
    remove_vanished,
)
from ingest.landing.sources import Source, SourceObject, index_by_key
from ingest.landing.zone import LandingZone, delivery_id_of
from ingest.mapping import RuleSet

START = "lineItem/intervalUsageStart"
_TIMES = ("lineItem/intervalUsageStart", "lineItem/intervalUsageEnd")
_NUMBERS = ("cost/myCost", "usage/billedQuantity", "cost/unitPrice")
_KV = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))


def read_cost_report(path: Path, rules: RuleSet, month: str | None = None, **_context) -> pl.DataFrame:
    """One report file as the rule set's source frame, only its rows of ``month`` (YYYY-MM) when given: times
    (written ``2023-11-13T10:00Z`` or with seconds) as UTC, amounts as numbers, the billing month's bounds, the
    ``tags/<namespace>.<key>`` columns as key/value pairs. A value that is not what its column holds refuses the
    file, its row named."""
    raw = _read_text(path)
    typed = [
        *(_time(raw, c, path.name).alias(c) for c in _TIMES),
        *(_number(raw, c, path.name).alias(c) for c in _NUMBERS if c in raw.columns),
    ]
    frame = raw.with_columns(typed)
    if month is not None:
        frame = frame.filter(pl.col(START).dt.strftime("%Y-%m") == month)
    month_start = pl.col(START).dt.truncate("1mo")
    frame = frame.with_columns(
        month_start.alias("BillingMonthStart"),
        month_start.dt.offset_by("1mo").alias("BillingMonthEnd"),
        _tags(frame).alias("Tags"),
    )
    return rules.conform(frame)


def _read_text(path: Path) -> pl.DataFrame:
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BillingFileError(f"{path.name}: cannot be read as a CSV: {str(exc).splitlines()[0][:200]}") from exc
    missing = [c for c in (*_TIMES, "cost/myCost", "cost/currencyCode") if c not in raw.columns]
    if missing:
        raise BillingFileError(f"{path.name}: not an OCI cost report: columns missing: {missing}")
    return raw.with_row_index("__row")


def _time(raw: pl.DataFrame, column: str, file: str) -> pl.Series:
    text = raw[column].str.strip_chars()
    parsed = text.str.to_datetime("%Y-%m-%dT%H:%M%#z", time_zone="UTC", strict=False).fill_null(
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC", strict=False)
    )
    _refuse(raw, text, parsed, column, "an ISO 8601 time", file, empty_allowed=False)
    return parsed.dt.replace_time_zone(None).cast(pl.Datetime("us"))


def _number(raw: pl.DataFrame, column: str, file: str) -> pl.Series:
    text = raw[column].str.strip_chars()
    parsed = text.cast(pl.Float64, strict=False)
    _refuse(raw, text, parsed, column, "a number", file, empty_allowed=True)
    return parsed


def _refuse(
    raw: pl.DataFrame, text: pl.Series, parsed: pl.Series, column: str, wanted: str, file: str, empty_allowed: bool
) -> None:
    bad = parsed.is_null() & (text.is_not_null() & (text != "") if empty_allowed else True)
    if bad.any():
        row = int(raw["__row"].filter(bad)[0])
        raise BillingFileError(f"{file} row {row + 1}: {column} = {text[row]!r} is not {wanted}; the file is refused")


def _tags(frame: pl.DataFrame) -> pl.Series:
    """The ``tags/…`` columns (``tags/<key>`` free-form, ``tags/<namespace>.<key>`` defined) of each row as
    key/value pairs, the empty ones left out."""
    columns = sorted(c for c in frame.columns if c.startswith("tags/"))
    if not columns:
        return pl.Series("Tags", [[]] * frame.height, dtype=_KV)
    pairs = frame.select(
        pl.concat_list(
            pl.when(pl.col(c).str.strip_chars() != "").then(
                pl.struct(pl.lit(c.removeprefix("tags/")).alias("key"), pl.col(c).alias("value"))
            )
            for c in columns
        )
        .list.drop_nulls()
        .alias("Tags")
    )
    return pairs["Tags"].cast(_KV)


OCI_COST_REPORT = BillingFormat(
    name="oci_cost_report",
    provider="oci",
    rules_file=Path(__file__).parent / "rules" / "cost_report.toml",
    read=read_cost_report,
)


class _Landed:
    """The source, except that objects already in the landing zone are copied from there, not fetched again."""

    def __init__(self, source: Source, landed: dict[str, Path]) -> None:
        self.source, self.landed = source, landed
        self.name: str = source.name

    def list_objects(self, prefix: str = "") -> list[SourceObject]:
        return self.source.list_objects(prefix)

    def fetch(self, key: str, dest: Path) -> None:
        if key in self.landed:
            shutil.copyfile(self.landed[key], dest)
        else:
            self.source.fetch(key, dest)


def ingest_cost_reports(
    fmt: BillingFormat,
    table: str,
    source: Source,
    prefix: str,
    landing: LandingZone,
    bronze_root: Path,
    periods: set[str] | None = None,
    limits: AmountLimits | None = None,
    refused: list[BillingLoad] | None = None,
) -> list[BillingLoad]:
    """Load every month the report files under ``prefix`` hold (or only those of ``periods``) into bronze
    ``table``, and remove the months no report holds any more; the same call as ``ingest_exports``."""
    listing = index_by_key(source.list_objects(prefix))
    reports = [o for k, o in sorted(listing.items()) if k.lower().endswith((".csv", ".csv.gz"))]
    if periods:
        # A report is written after the hours it covers: one written before a month began holds none of it.
        first = min(periods)
        reports = [o for o in reports if o.modified is None or _month_of(o.modified) >= first]
    known = {(f.key, f.size): (Path(f.path), f.sha256) for f in landing.manifest(f"billing/{fmt.provider}")}
    files: dict[str, tuple[Path, str]] = {}
    for obj in reports:
        files[obj.key] = known.get((obj.key, obj.size)) or landing.land(source, obj, f"billing/{fmt.provider}")
    months: dict[str, list[str]] = {}
    blocked: set[str] = set()  # months an unreadable report may hold: not replaced, bronze keeps the last good
    for key, (path, _) in files.items():
        try:
            for month in _months(path):
                months.setdefault(month, []).append(key)
        except BillingFileError as exc:
            reason = BillingFileError(f"{key}: {exc}")
            if refused is None:
                raise reason from exc
            refused.append(refused_load(Delivery(fmt, "unknown", (key,)), reason))
            written = listing[key].modified
            # A report holds hours from shortly before it was written: its month or the one before.
            blocked |= {_month_of(written), _previous(_month_of(written))} if written else {"*"}
    deliveries = [
        Delivery(
            fmt,
            month,
            tuple(keys),
            {"export": "cost-csv"},
            delivery_id_of([(k, files[k][1]) for k in keys]),
            context={"month": month},
        )
        for month, keys in sorted(months.items())
        if periods is None or month in periods
    ]
    kept = [d.bronze_partition for d in deliveries]
    loads = remove_vanished(bronze_root, table, fmt, kept, periods) if kept else []
    loadable = [d for d in deliveries if d.billing_period not in blocked and "*" not in blocked]
    reading = _Landed(source, {k: p for k, (p, _) in files.items()})
    return loads + load_deliveries(reading, loadable, listing, landing, bronze_root, table, limits, refused)


def _months(path: Path) -> list[str]:
    """The billing months a report file's rows fall in, from its one column that says (every file is asked on every
    run: the whole file is read only for the months that load)."""
    try:
        raw = pl.read_csv(path, columns=[START], infer_schema=False).with_row_index("__row")
    except pl.exceptions.ColumnNotFoundError as exc:
        raise BillingFileError(f"{path.name}: not an OCI cost report: columns missing: [{START!r}]") from exc
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BillingFileError(f"{path.name}: cannot be read as a CSV: {str(exc).splitlines()[0][:200]}") from exc
    return sorted(_time(raw, START, path.name).dt.strftime("%Y-%m").unique().to_list())


def _month_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m")


def _previous(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
