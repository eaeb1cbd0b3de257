"""Finding AWS billing deliveries from their manifests, and loading them into bronze.

- Data Exports (CUR 2.0 and FOCUS 1.2 tables):
  ``<prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`` with ``executionId`` and
  ``dataFiles`` (s3:// URIs); the table is recognised from the manifest's columns.
- Legacy CUR: ``<prefix>/<report>/<YYYYMMDD-YYYYMMDD>/<report>-Manifest.json`` with ``assemblyId``,
  ``billingPeriod`` and ``reportKeys``; it always names the latest assembly of the month.

Each manifest is one delivery of one billing period; its id (executionId / assemblyId) is how a re-delivery is
told from one already loaded. AWS re-delivers a whole month, so a new delivery replaces the month in bronze.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from ingest.aws.cur2 import CUR2
from ingest.aws.focus_export import AWS_FOCUS
from ingest.aws.legacy_cur import LEGACY_CUR
from ingest.billing import (
    AmountLimits,
    BillingFileError,
    BillingLoad,
    Delivery,
    load_deliveries,
    refused_load,
    remove_vanished,
)
from ingest.housekeeping import temporary_prefix
from ingest.landing.sources import Source, SourceObject, index_by_key, safe_relative_key
from ingest.landing.zone import LandingZone
from ingest.schemas import AWS_BILLING_TABLE

_DATA_EXPORT_MANIFEST = re.compile(r"(?:^|/)([^/]+)/metadata/BILLING_PERIOD=(\d{4}-\d{2})/\1-Manifest\.json$")
_LEGACY_MANIFEST = re.compile(r"(?:^|/)([^/]+)/(\d{8})-\d{8}/\1-Manifest\.json$")


def _object_key(uri_or_key: str) -> str:
    """'s3://bucket/a/b.parquet' → 'a/b.parquet'; a bare key is checked and kept."""
    key = uri_or_key.split("://", 1)[1].split("/", 1)[1] if "://" in uri_or_key else uri_or_key
    return safe_relative_key(key).as_posix()


def parse_manifest(key: str, text: str) -> Delivery | None:
    """The delivery a manifest describes, or None when the key is not a delivery manifest."""
    if match := _DATA_EXPORT_MANIFEST.search(key):
        export, period = match.groups()
        doc = _json(key, text)
        columns = {c.get("name") for c in doc.get("columns", []) if isinstance(c, dict)}
        fmt = AWS_FOCUS if "BilledCost" in columns else CUR2
        return Delivery(
            fmt,
            period,
            tuple(_object_key(f) for f in _required(key, doc, "dataFiles")),
            {"export": export},
            str(_required(key, doc, "executionId")),
            key,
        )
    if match := _LEGACY_MANIFEST.search(key):
        report, start = match.groups()
        doc = _json(key, text)
        period = f"{start[:4]}-{start[4:6]}"
        declared = str(doc.get("billingPeriod", {}).get("start", start))[:8]
        if declared != start:
            raise BillingFileError(f"manifest {key}: billingPeriod {declared} does not match its folder {start}")
        return Delivery(
            LEGACY_CUR,
            period,
            tuple(_object_key(k) for k in _required(key, doc, "reportKeys")),
            {"export": report},
            str(_required(key, doc, "assemblyId")),
            key,
        )
    return None


def _json(key: str, text: str) -> dict:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BillingFileError(f"manifest {key} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise BillingFileError(f"manifest {key} is not a JSON object")
    return doc


def _required(key: str, doc: dict, name: str):
    if not doc.get(name):
        raise BillingFileError(f"manifest {key} has no {name}")
    return doc[name]


def discover(
    source: Source, prefix: str = "", refused: list[BillingLoad] | None = None
) -> tuple[list[Delivery], dict[str, SourceObject]]:
    """Every delivery under ``prefix`` (one per manifest), and the listing they were found in.

    A manifest that cannot be read raises ``BillingFileError``; given a ``refused`` list, it is reported there
    (with the month its key names) and the other manifests are still read."""
    listing = index_by_key(source.list_objects(prefix))
    deliveries = []
    with tempfile.TemporaryDirectory(prefix=temporary_prefix("cpt-manifest")) as tmp:
        for key in sorted(k for k in listing if k.endswith("-Manifest.json")):
            if not (_DATA_EXPORT_MANIFEST.search(key) or _LEGACY_MANIFEST.search(key)):
                continue  # a copy inside an assembly folder: the period-level manifest names the latest
            local = Path(tmp) / "manifest.json"
            source.fetch(listing[key].key, local)
            try:
                delivery = parse_manifest(key, local.read_text())
            except BillingFileError as exc:
                if refused is None:
                    raise
                refused.append(_unreadable_manifest(key, exc))
                continue
            if delivery:
                deliveries.append(relative_to_manifest(delivery, listing))
    return deliveries, listing


def relative_to_manifest(delivery: Delivery, listing: dict[str, SourceObject]) -> Delivery:
    """The delivery with each data key found in ``listing``, read relative to the manifest's export folder.

    A manifest names its files by the export's full S3 key (``<bucket prefix>/<export>/data/…``). A copy of the
    export made from below the bucket prefix (``aws s3 sync s3://bucket/prefix ./mirror``) holds the same files
    under another prefix: a key not found as written is looked up again from its ``<export>/`` folder down, under
    the folder that holds the manifest's export. A key found neither way is left as written (and refused later,
    named)."""
    export = delivery.partition["export"]
    manifest_parts = (delivery.manifest_key or "").split("/")
    root = manifest_parts[: len(manifest_parts) - 1 - manifest_parts[::-1].index(export)]
    keys = []
    for key in delivery.data_keys:
        parts = key.split("/")
        candidates = ["/".join(root + parts[i:]) for i, part in enumerate(parts) if part == export]
        keys.append(key if key in listing else next((c for c in candidates if c in listing), key))
    return replace(delivery, data_keys=tuple(keys))


def manifest_partition(key: str) -> dict[str, str]:
    """The bronze partition a manifest's key names (its export or report, and its month)."""
    if match := _DATA_EXPORT_MANIFEST.search(key):
        return {"export": match[1], "billing_period": match[2]}
    match = _LEGACY_MANIFEST.search(key)
    if match is None:
        raise ValueError(f"{key}: not a CUR manifest key")
    return {"export": match[1], "billing_period": f"{match[2][:4]}-{match[2][4:6]}"}


def _unreadable_manifest(key: str, exc: Exception) -> BillingLoad:
    partition = manifest_partition(key)
    delivery = Delivery(CUR2, partition["billing_period"], (key,), {"export": partition["export"]}, None, key)
    return refused_load(delivery, exc)


def ingest_aws_billing(
    source: Source,
    prefix: str,
    landing: LandingZone,
    bronze_root: Path,
    periods: set[str] | None = None,
    limits: AmountLimits | None = None,
    refused: list[BillingLoad] | None = None,
) -> list[BillingLoad]:
    """Load every delivery found (or only those of ``periods``, YYYY-MM) into bronze aws_billing_line_items, and
    remove the months whose delivery is gone from the source.

    A refused delivery raises ``BillingFileError``; given a ``refused`` list, it is reported there instead and the
    other deliveries still load (bronze keeps the refused one's last good month)."""
    unreadable: list[BillingLoad] = []
    deliveries, listing = discover(source, prefix, unreadable if refused is not None else None)
    if refused is not None:
        refused += [x for x in unreadable if periods is None or x.billing_period in periods]
    wanted = [d for d in deliveries if periods is None or d.billing_period in periods]
    # Gone deliveries leave first, so that a delivery replacing one (another export of the bill) can load.
    # An empty listing (a wrong prefix, a permissions slip) never empties bronze; an unreadable manifest keeps
    # its month.
    kept = [d.bronze_partition for d in deliveries] + [manifest_partition(x.files[0]) for x in unreadable]
    loads = remove_vanished(bronze_root, AWS_BILLING_TABLE, CUR2, kept, periods) if kept else []
    return loads + load_deliveries(source, wanted, listing, landing, bronze_root, AWS_BILLING_TABLE, limits, refused)
