"""FOCUS datasets of each version, built row by row: what the generic FOCUS source's tests load."""

from pathlib import Path

import polars as pl


def focus_rows(version: str = "1.2", month: str = "2026-10", account: str = "acct-1", n: int = 3) -> pl.DataFrame:
    """``n`` usage rows of a GPU VM (one hour each) and a tax row, as a provider's FOCUS ``version`` export writes
    them (text, as in a CSV)."""
    start, end = f"{month}-01T00:00:00Z", _next_month(month)
    rows = []
    for hour in range(n):
        rows.append(
            {
                "BilledCost": "98.32",
                "EffectiveCost": "61.0",
                "ListCost": "98.32",
                "ContractedCost": "98.32",
                "ChargeCategory": "Usage",
                "PricingCategory": "Committed" if hour == 0 else "Standard",
                "CommitmentDiscountCategory": "Usage" if hour == 0 else "",
                "ChargePeriodStart": f"{month}-02T{hour:02d}:00:00Z",
                "ChargePeriodEnd": f"{month}-02T{hour + 1:02d}:00:00Z",
                "ResourceId": "/subscriptions/s/vm-gpu-1",
                "Tags": '{"cpt-deployment": "chat-h100", "cpt-cluster": "east", "team": "search"}',
                "SkuPriceDetails": '{"VMSize": "Standard_ND96isr_H100_v5", "CoreCount": 96}',
            }
        )
    rows.append(
        {
            "BilledCost": "1.5",
            "EffectiveCost": "1.5",
            "ListCost": "1.5",
            "ContractedCost": "1.5",
            "ChargeCategory": "Tax",
            "PricingCategory": "",
            "CommitmentDiscountCategory": "",
            "ChargePeriodStart": start,
            "ChargePeriodEnd": end,
            "ResourceId": "",
            "Tags": "",
            "SkuPriceDetails": "",
        }
    )
    common = {
        "BillingAccountId": account,
        "BillingAccountName": "Contoso",
        "BillingCurrency": "USD",
        "BillingPeriodStart": start,
        "BillingPeriodEnd": end,
        "ChargeClass": "",
        "ChargeDescription": "ND96isr H100 v5",
        "ChargeFrequency": "Usage-Based",
        "InvoiceIssuerName": "Microsoft",
        "PricingQuantity": "1",
        "PricingUnit": "Hours",
        "ProviderName": "Microsoft",
        "PublisherName": "Microsoft",
        "ServiceCategory": "Compute",
        "ServiceName": "Virtual Machines",
        "RegionId": "eastus",
        "x_SkuMeterCategory": "Virtual Machines",
    }
    frame = pl.DataFrame([{**common, **row} for row in rows])
    if version == "1.0":
        frame = frame.drop("SkuPriceDetails")
    if version in ("1.1", "1.2"):
        frame = frame.with_columns(pl.lit("Compute Usage").alias("SkuMeter"), pl.lit("GPU").alias("ServiceSubcategory"))
    if version == "1.2":
        frame = frame.with_columns(pl.lit("INV-1").alias("InvoiceId"), pl.lit("USD").alias("PricingCurrency"))
    return frame


def _next_month(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}-01T00:00:00Z"


def write(frame: pl.DataFrame, path: Path) -> Path:
    """The frame as the file ``path`` names: .csv, .csv.gz or .parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".parquet"):
        frame.write_parquet(path)
    elif path.name.endswith(".csv.gz"):
        import gzip

        path.write_bytes(gzip.compress(frame.write_csv().encode(), mtime=0))
    else:
        frame.write_csv(path)
    return path
