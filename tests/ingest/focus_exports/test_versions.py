"""FOCUS 1.0, 1.1 and 1.2 files: the version from the columns, every value checked, typed in 1.2's columns."""

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from ingest.focus_exports.versions import FocusFileError, conform, read_file, spec
from tests.ingest.focus_exports.support import focus_rows, write


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_the_version_is_recognised_and_the_columns_are_1_2_s(version):
    frame, found = conform(focus_rows(version), "export.csv")
    assert found == version
    assert set(spec().columns) <= set(frame.columns)  # every 1.2 column, typed
    assert frame["BilledCost"].dtype == pl.Float64 and frame["BilledCost"].sum() == pytest.approx(3 * 98.32 + 1.5)
    assert frame["ChargePeriodStart"][0] == datetime(2026, 10, 2, 0, 0)
    assert frame["InvoiceId"].to_list() == (["INV-1"] * 4 if version == "1.2" else [None] * 4)
    assert frame["ChargeClass"].null_count() == 4  # an empty CSV field is a null
    assert frame["x_SkuMeterCategory"][0] == "Virtual Machines"  # the provider's own columns are kept


def test_the_specification_s_columns_by_version():
    focus = spec()
    assert focus.versions == ("1.0", "1.1", "1.2")
    added = {v: sorted(c.name for c in focus.columns.values() if c.version == v) for v in focus.versions}
    assert len(added["1.0"]) == 43 and len(focus.mandatory("1.0")) == 21
    assert added["1.1"] == sorted(
        [
            *("CapacityReservationId", "CapacityReservationStatus", "CommitmentDiscountQuantity"),
            *("CommitmentDiscountUnit", "ServiceSubcategory", "SkuMeter", "SkuPriceDetails"),
        ]
    )
    assert "InvoiceId" in added["1.2"] and len(added["1.2"]) == 7
    assert focus.mandatory("1.2") == focus.mandatory("1.0")  # later versions added no Mandatory column


@pytest.mark.parametrize(
    ("column", "row", "value", "says"),
    [
        ("BilledCost", 2, "12,5 USD", "BilledCost = '12,5 USD' is not a number"),
        ("ChargeCategory", 3, "Refund", "ChargeCategory = 'Refund' is not a value FOCUS defines"),
        ("ChargePeriodStart", 1, "02/10/2026", "is not an ISO 8601 date/time"),
        ("ChargeCategory", 2, "", "ChargeCategory is empty"),
        ("Tags", 1, "cpt-deployment=chat", "Tags = 'cpt-deployment=chat' is not a JSON object"),
        ("ServiceCategory", 4, "GPUs", "ServiceCategory = 'GPUs' is not a value FOCUS defines"),
    ],
)
def test_a_row_that_breaks_the_specification_is_refused_with_file_and_row(column, row, value, says):
    frame = (
        focus_rows("1.2")
        .with_row_index()
        .with_columns(pl.when(pl.col("index") == row - 1).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    )
    with pytest.raises(FocusFileError, match=r"export\.csv row") as refused:
        conform(frame.drop("index"), "export.csv")
    assert f"export.csv row {row}: " in str(refused.value) and says in str(refused.value)


def test_a_file_without_a_mandatory_column_is_not_focus():
    with pytest.raises(FocusFileError, match=r"export.csv: not a FOCUS 1.2 dataset: .*'BilledCost'"):
        conform(focus_rows("1.2").drop("BilledCost"), "export.csv")


def test_parquet_with_typed_columns_reads_as_the_csv_does(tmp_path):
    text = focus_rows("1.1")
    kv = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))
    typed = text.with_columns(
        pl.col("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity").cast(pl.Float64),
        pl.col("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd")
        .str.to_datetime(time_zone="UTC")
        .dt.convert_time_zone("Europe/Paris"),  # an instant is an instant, whatever zone it is written in
        pl.col("Tags")
        .map_elements(lambda t: [{"key": k, "value": v} for k, v in json.loads(t).items()] if t else None, kv)
        .alias("Tags"),
    )
    from_csv, _ = conform(read_file(write(text, tmp_path / "e.csv.gz")), "e.csv.gz")
    from_parquet, _ = conform(read_file(write(typed, tmp_path / "e.parquet")), "e.parquet")
    assert from_parquet.drop("Tags").equals(from_csv.drop("Tags"))
    assert [json.loads(t) if t else None for t in from_parquet["Tags"]] == [
        json.loads(t) if t else None for t in from_csv["Tags"]
    ]
    assert from_csv["BillingPeriodStart"][0] == datetime(2026, 10, 1, tzinfo=UTC).replace(tzinfo=None)


def test_an_unreadable_file_is_named(tmp_path):
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(FocusFileError, match=r"broken\.parquet: cannot be read"):
        read_file(broken)
