"""Where a cloud's scheduled exports put each month, read from the objects' keys; a month's files as one delivery.

The layouts providers write (the first that fits a key wins):

- ``<export>/<YYYYMMDD>-<YYYYMMDD>/<run>/<file>`` — a billing period's folder with one folder per export run
  (Azure Cost Management); a re-run is a new run folder: the month's newest run replaces the earlier ones;
- ``<export>/billing_period=YYYY-MM/…`` (or ``BILLING_PERIOD=``) — Hive-style month partitions (AWS Data Exports);
- ``<export>/year=YYYY/month=MM/…`` — Hive-style year and month;
- ``<export>/YYYY/MM/[DD/]<file>`` — dated folders (OCI's reports by day): every file of the month together;
- ``<export>/<name with YYYY-MM or YYYYMM>.<ext>`` — a file per month.

All files of one export's month (of its newest run, where there are runs) are one delivery: loaded together,
validated together, and replacing that month of that export whole. Where a run folder holds a ``manifest.json``
(Azure Cost Management's partitioned exports), the manifest decides: its ``blobs`` are the delivery's files (a
file beside them that it does not name is not read, one it names that is missing refuses the run) and its
``runInfo.runId`` is the delivery's id (its ``exportConfig.type`` reaches the reader). A data file whose key
fits no layout is refused, named (nothing is read from it, nothing is lost silently). Everything else — landing,
the amount ceilings, refusing a second export of the same bill, removing a month whose files left the source —
is ``ingest.billing``'s.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

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
from ingest.landing.zone import LandingZone

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")

_LAYOUTS = (
    re.compile(r"^(?P<export>(?:.*/)?)(?P<year>\d{4})(?P<month>\d{2})\d{2}-\d{8}/(?P<run>[^/]+)/[^/]+$"),
    re.compile(r"^(?P<export>(?:.*/)?)billing_period=(?P<year>\d{4})-(?P<month>\d{2})/(?:.*/)?[^/]+$", re.I),
    re.compile(r"^(?P<export>(?:.*/)?)year=(?P<year>\d{4})/month=(?P<month>\d{1,2})/(?:.*/)?[^/]+$", re.I),
    re.compile(r"^(?P<export>(?:.*/)?)(?P<year>\d{4})/(?P<month>\d{2})/(?:\d{2}/)?[^/]+$"),
    re.compile(r"^(?P<export>(?:.*/)?)[^/]*?(?P<year>20\d{2})-?(?P<month>0[1-9]|1[0-2])(?:\D[^/]*)?$"),
)


@dataclass(frozen=True)
class _Placed:
    key: str
    export: str
    period: str
    run: str | None


def place(key: str) -> _Placed | None:
    """Where a data object belongs: its export, billing month and run (None when no layout fits its key)."""
    for layout in _LAYOUTS:
        if match := layout.match(key):
            export = match["export"].strip("/").replace("/", ".") or "default"
            period = f"{match['year']}-{int(match['month']):02d}"
            return _Placed(key, export, period, match.groupdict().get("run"))
    return None


def discover(listing: dict[str, SourceObject], fmt: BillingFormat) -> tuple[list[Delivery], list[str]]:
    """The deliveries in ``listing`` — one per (export, month), its newest run only — and the data objects whose
    keys fit no layout."""
    unplaced = []
    months: dict[tuple[str, str], list[_Placed]] = defaultdict(list)
    for key in sorted(listing):
        if not key.lower().endswith(DATA_SUFFIXES):
            continue  # manifests, _SUCCESS markers, notes beside the data
        placed = place(key)
        if placed is None:
            unplaced.append(key)
        else:
            months[(placed.export, placed.period)].append(placed)
    deliveries = []
    for (export, period), files in sorted(months.items()):
        runs = {f.run for f in files}
        run = max(runs, key=lambda r: _run_written(r, files, listing)) if len(runs) > 1 else next(iter(runs))
        keys = tuple(f.key for f in files if f.run == run)
        delivery_id = f"{export}/{period}/{run}" if run else None  # without a run: the files' checksums decide
        deliveries.append(Delivery(fmt, period, keys, {"export": export}, delivery_id))
    return deliveries, unplaced


def _run_written(run: str | None, files: list[_Placed], listing: dict[str, SourceObject]) -> tuple[float, str]:
    """A run's order: when its newest object was written (then its name, for sources that give no time)."""
    written = [listing[f.key].modified or 0.0 for f in files if f.run == run]
    return max(written, default=0.0), run or ""


def ingest_exports(
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
    """Load every export month of format ``fmt`` found under ``prefix`` (or only those of ``periods``) into bronze
    ``table``, and remove the months whose files are all gone from the source. Refusals as in
    ``ingest_aws_billing``: raised, or — given a ``refused`` list — reported there while the rest still loads."""
    listing = index_by_key(source.list_objects(prefix))
    deliveries, unplaced = discover(listing, fmt)
    for key in unplaced:
        reason = BillingFileError(
            f"{key}: no billing month in its path (expected a layout such as <export>/billing_period=YYYY-MM/… or "
            "<export>/YYYYMMDD-YYYYMMDD/<run>/…, or YYYY-MM in the file name); not read"
        )
        if refused is None:
            raise reason
        refused.append(refused_load(Delivery(fmt, "unknown", (key,)), reason))
    wanted = []
    for delivery in deliveries:
        if periods is not None and delivery.billing_period not in periods:
            continue
        try:
            wanted.append(_following_manifest(delivery, listing, source, landing))
        except BillingFileError as reason:
            if refused is None:
                raise
            refused.append(refused_load(delivery, reason))
    kept = [d.bronze_partition for d in deliveries]
    loads = remove_vanished(bronze_root, table, fmt, kept, periods) if kept else []
    return loads + load_deliveries(source, wanted, listing, landing, bronze_root, table, limits, refused)


MANIFEST_NAME = "manifest.json"


def _following_manifest(
    delivery: Delivery, listing: dict[str, SourceObject], source: Source, landing: LandingZone
) -> Delivery:
    """The delivery as its run folder's manifest describes it (unchanged where the folder has none)."""
    folder = delivery.data_keys[0].rsplit("/", 1)[0]
    manifest_key = f"{folder}/{MANIFEST_NAME}"
    if delivery.delivery_id is None or manifest_key not in listing:
        return delivery
    path, _ = landing.land(source, listing[manifest_key], f"billing/{delivery.format.provider}")
    try:
        manifest = json.loads(Path(path).read_text())
        names = [blob["blobName"].rsplit("/", 1)[-1] for blob in manifest["blobs"]]
        run_id = manifest.get("runInfo", {}).get("runId") or delivery.delivery_id.rsplit("/", 1)[-1]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BillingFileError(f"{manifest_key}: not an export manifest ({exc}); the run is not read") from exc
    if not names:
        raise BillingFileError(f"{manifest_key} names no data files; the run is not read")
    export, period = delivery.partition["export"], delivery.billing_period
    keys = tuple(f"{folder}/{name}" for name in names)
    context = {**delivery.context, "export_type": (manifest.get("exportConfig") or {}).get("type")}
    return dataclasses.replace(
        delivery, data_keys=keys, delivery_id=f"{export}/{period}/{run_id}", manifest_key=manifest_key, context=context
    )
