"""Any provider's FOCUS export (FOCUS 1.0, 1.1 or 1.2; CSV, CSV.gz or Parquet) → landing zone → bronze
focus_billing_line_items, one partition per (export, billing month): the months found from the objects' keys
(``ingest.export_layouts``), each file read, checked and typed by ``versions``, then mapped by ``rules/focus.toml``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.billing import BillingFileError, BillingFormat
from ingest.focus_exports.versions import FocusFileError, conform, read_file, tag_pairs
from ingest.mapping import RuleSet


def read_focus_export(path: Path, rules: RuleSet, **_context) -> pl.DataFrame:
    """One file of a FOCUS export, checked and typed (``versions.conform``), as the rule set's source frame: the
    declared columns (Tags as key/value pairs), the FOCUS version it was read as (``x_FocusVersion``) and the
    export's own ``x_`` columns."""
    try:
        conformed, version = conform(read_file(path), path.name)
        rows = pl.int_range(conformed.height, eager=True)
        tags = tag_pairs(conformed["Tags"], rows, path.name)
    except FocusFileError as exc:
        raise BillingFileError(str(exc)) from exc
    declared = []
    for name, dtype in rules.source_columns.items():
        if name == "Tags":
            declared.append(pl.lit(tags).alias(name))
        elif name in conformed.columns:
            declared.append(pl.col(name).cast(dtype))
        else:
            declared.append(pl.lit(None, dtype=dtype).alias(name))
    extra = [c for c in conformed.columns if c.startswith("x_") and c not in rules.source_columns]
    return conformed.select(*declared, *extra, pl.lit(version).alias("x_FocusVersion"))


FOCUS_EXPORT = BillingFormat(
    name="focus_export",
    provider="focus",
    rules_file=Path(__file__).parent / "rules" / "focus.toml",
    read=read_focus_export,
)
