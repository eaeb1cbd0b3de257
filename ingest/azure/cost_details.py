"""Azure Cost Management "cost details" exports (EA and MCA; actual cost) as CSV, CSV.gz or Parquet → landing
zone → bronze azure_billing_line_items, a partition per (export, month), found by ``ingest.export_layouts``.

The reader types what the rules (``rules/cost_details.toml``) map: dates written M/D/YYYY (EA) or ISO (MCA), the
inclusive end dates made the exclusive ends FOCUS uses, amounts as numbers, the region in lower case, the
``Tags`` column — which EA writes as a JSON object without its braces — as key/value pairs, and the VM size from
``AdditionalInfo`` (its ``ServiceType``). A value that is not what its column holds refuses the file with the row
named. MCA's column names that differ from EA's are renamed to EA's first (``_MCA_NAMES``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.billing import BillingFileError, BillingFormat
from ingest.focus_exports.versions import FocusFileError, tag_pairs
from ingest.mapping import RuleSet

# MCA exports name a few columns differently; EA's names are the ones the rules use.
_MCA_NAMES = {
    "billingCurrency": "BillingCurrencyCode",
    "BillingCurrency": "BillingCurrencyCode",
    "costInBillingCurrency": "CostInBillingCurrency",
    "date": "Date",
    "subscriptionId": "SubscriptionId",
    "subscriptionName": "SubscriptionName",
    "SubscriptionGuid": "SubscriptionId",
    "resourceLocation": "ResourceLocation",
    "ResourceLocationNormalized": "ResourceLocation",
    "chargeType": "ChargeType",
    "pricingModel": "PricingModel",
    "tags": "Tags",
    "additionalInfo": "AdditionalInfo",
}
_DATES = ("Date", "BillingPeriodStartDate", "BillingPeriodEndDate")
_NUMBERS = ("CostInBillingCurrency", "Quantity", "PayGPrice", "UnitPrice", "EffectivePrice")
_KV = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))


def read_cost_details(path: Path, rules: RuleSet, export_type: str | None = None, **_context) -> pl.DataFrame:
    if export_type and export_type.lower().startswith("amortized"):
        raise BillingFileError(
            f"{path.name}: its run's manifest says it is an {export_type} export, whose costs are not what the invoice "
            "bills; point CPT_AZURE_BILLING_URI at the actual cost export (its EffectivePrice gives the amortized "
            "cost), or read the FOCUS export, which carries both"
        )
    name = path.name.lower()
    raw = pl.read_parquet(path) if name.endswith(".parquet") else pl.read_csv(path, infer_schema=False)
    raw = raw.rename({k: v for k, v in _MCA_NAMES.items() if k in raw.columns and v not in raw.columns})
    raw = raw.with_columns(pl.col(c).cast(pl.String) for c in raw.columns).with_row_index("__row")
    typed = [
        *(_date(raw, c, path.name).alias(c) for c in _DATES if c in raw.columns),
        *(_number(raw, c, path.name).alias(c) for c in _NUMBERS if c in raw.columns),
    ]
    frame = raw.with_columns(typed)
    day = pl.duration(days=1)
    frame = frame.with_columns(
        (pl.col("Date") + day).alias("DateEnd"),
        (pl.col("BillingPeriodEndDate") + day).alias("BillingPeriodEndExclusive"),
        pl.col("ResourceLocation").str.to_lowercase().str.replace_all(" ", "").alias("Region"),
        # list cost: the pay-as-you-go price of the quantity, where the export gives the price
        pl.coalesce(
            pl.col("PayGPrice") * pl.col("Quantity") if "PayGPrice" in raw.columns else None, "CostInBillingCurrency"
        ).alias("ListCostComputed"),
        _tags(raw, path.name).alias("Tags"),
        _service_type(raw).alias("VmSize"),
        _amortized(raw).alias("AmortizedCost"),
    )
    return rules.conform(frame)


def _amortized(raw: pl.DataFrame) -> pl.Expr:
    """The line's amortized cost (FOCUS EffectiveCost) from an actual cost export: usage a reservation or savings
    plan covers is billed 0 but costs its EffectivePrice × Quantity (the commitment's rate); the commitment's own
    purchase is spread over that usage, so it costs nothing here; everything else costs what it is billed."""
    cost = pl.col("CostInBillingCurrency")
    if not {"EffectivePrice", "PricingModel", "ChargeType"} <= set(raw.columns):
        return cost
    commitment = pl.col("PricingModel").is_in(["Reservation", "SavingsPlan"])
    covered = (pl.col("ChargeType") == "Usage") & commitment & pl.col("EffectivePrice").is_not_null()
    purchase = (pl.col("ChargeType") == "Purchase") & commitment
    return pl.when(covered).then(pl.col("EffectivePrice") * pl.col("Quantity")).when(purchase).then(0.0).otherwise(cost)


def _date(raw: pl.DataFrame, column: str, file: str) -> pl.Series:
    text = raw[column].str.strip_chars()
    parsed = (
        text.str.to_datetime("%m/%d/%Y", strict=False)
        .fill_null(text.str.to_datetime("%Y-%m-%d", strict=False))
        .fill_null(text.str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False))
    )
    _refuse(raw, text, parsed, column, "a date (M/D/YYYY or YYYY-MM-DD)", file)
    return parsed.cast(pl.Datetime("us"))


def _number(raw: pl.DataFrame, column: str, file: str) -> pl.Series:
    text = raw[column].str.strip_chars()
    parsed = text.cast(pl.Float64, strict=False)
    _refuse(raw, text, parsed, column, "a number", file)
    return parsed


def _refuse(raw: pl.DataFrame, text: pl.Series, parsed: pl.Series, column: str, wanted: str, file: str) -> None:
    bad = text.is_not_null() & (text != "") & parsed.is_null()
    if bad.any():
        row = int(raw["__row"].filter(bad)[0])
        raise BillingFileError(f"{file} row {row + 1}: {column} = {text[row]!r} is not {wanted}; the file is refused")


def _tags(raw: pl.DataFrame, file: str) -> pl.Series:
    """Tags as key/value pairs: EA writes ``"k": "v","k2": "v2"`` (an object without braces), MCA a full object."""
    if "Tags" not in raw.columns:
        return pl.Series("Tags", [None] * raw.height, dtype=_KV)
    text = pl.col("Tags").str.strip_chars()
    braced = pl.when(text.str.starts_with("{")).then(text).otherwise(pl.concat_str(pl.lit("{"), text, pl.lit("}")))
    try:
        return tag_pairs(raw.select(braced.alias("Tags"))["Tags"], raw["__row"], file)
    except FocusFileError as exc:
        raise BillingFileError(str(exc)) from exc


def _service_type(raw: pl.DataFrame) -> pl.Series:
    """The VM size a compute line names in AdditionalInfo (``"ServiceType": "Standard_ND96isr_H100_v5"``)."""
    if "AdditionalInfo" not in raw.columns:
        return pl.Series("VmSize", [None] * raw.height, dtype=pl.String)
    return raw["AdditionalInfo"].str.extract(r'"ServiceType"\s*:\s*"([^"]+)"', 1)


AZURE_COST_DETAILS = BillingFormat(
    name="azure_cost_details",
    provider="azure",
    rules_file=Path(__file__).parent / "rules" / "cost_details.toml",
    read=read_cost_details,
)
