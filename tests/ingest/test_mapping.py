from pathlib import Path

import polars as pl
import pytest

from ingest.aws.cur2 import CUR2
from ingest.aws.line_items import expand_unused_commitments
from ingest.focus import BILLING_SCHEMA
from ingest.gcp.billing_export import BILLING_EXPORT
from ingest.mapping import MappingError, _tags_json, apply_rules, load_rules


@pytest.mark.parametrize("fmt", [CUR2, BILLING_EXPORT], ids=lambda f: f.name)
def test_shipped_rule_sets_cover_every_focus_column(fmt):
    rules = load_rules(fmt.rules_file)
    assert set(rules.rules) == set(BILLING_SCHEMA)
    doc = rules.describe()
    assert all(f"| {column} |" in doc for column in BILLING_SCHEMA)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    return path


def test_rule_set_without_a_rule_for_a_column_is_refused(tmp_path):
    path = _write(
        tmp_path,
        '[source]\nformat="x"\nprovider="X"\n[source.columns]\na="String"\n[rules.ProviderName]\nliteral="X"\n',
    )
    with pytest.raises(MappingError, match="targets without a rule"):
        load_rules(path)


def test_rule_using_an_undeclared_column_is_refused(tmp_path):
    text = CUR2.rules_file.read_text().replace('column = "bill_invoice_id"', 'column = "no_such_column"')
    with pytest.raises(MappingError, match="undeclared column 'no_such_column'"):
        load_rules(_write(tmp_path, text))


def test_unknown_value_in_a_strict_map_is_named():
    rules = CUR2.rules
    row = {c: None for c in rules.source_columns}
    row.update(line_item_line_item_type="BrandNewLineType", line_item_unblended_cost=1.0, resource_tags=[])
    frame = pl.DataFrame([row], schema=rules.source_columns)
    with pytest.raises(MappingError, match="BrandNewLineType"):
        apply_rules(rules, frame)


def test_tags_merge_later_columns_win_and_are_json_escaped():
    kv = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))
    frame = pl.DataFrame(
        {
            "a": [[{"key": "user_team", "value": 'say "hi"'}, {"key": "user_env", "value": "prod"}], []],
            "b": [[{"key": "env", "value": "staging"}], None],
        },
        schema={"a": kv, "b": kv},
    ).with_row_index("__row")
    tags = _tags_json(frame, {"tags": ["a", "b"], "strip_prefix": ["user_"]})
    assert tags.to_list() == ['{"env":"staging","team":"say \\"hi\\""}', "{}"]


def test_signed_sum_and_cases_compile_to_the_amortized_cost():
    rules = CUR2.rules
    base = {c: None for c in rules.source_columns}
    rows = [
        {
            **base,
            "line_item_line_item_type": "SavingsPlanRecurringFee",
            "line_item_unblended_cost": 10.0,
            "savings_plan_total_commitment_to_date": 10.0,
            "savings_plan_used_commitment": 7.5,
            "resource_tags": [],
        },
        {
            **base,
            "line_item_line_item_type": "SavingsPlanNegation",
            "line_item_unblended_cost": -12.0,
            "resource_tags": [],
        },
        {
            **base,
            "line_item_line_item_type": "DiscountedUsage",
            "line_item_unblended_cost": 0.0,
            "reservation_effective_cost": 4.25,
            "resource_tags": [],
        },
    ]
    out = apply_rules(rules, expand_unused_commitments(pl.DataFrame(rows, schema=rules.source_columns)))
    # The fee carries no amortized cost; its unused part (10 - 7.5) becomes a Usage row of its own (appended).
    assert out["EffectiveCost"].to_list() == [0.0, 0.0, 4.25, 2.5]
    assert out["BilledCost"].to_list() == [10.0, -12.0, 0.0, 0.0]
    assert out["ChargeCategory"].to_list() == ["Purchase", "Usage", "Usage", "Usage"]
    assert out["CommitmentDiscountStatus"].to_list() == [None, None, "Used", "Unused"]
    assert out["x_PricingTier"].to_list() == [None, "savings_plan", "reserved", "savings_plan"]


def test_the_committed_mapping_docs_equal_the_rules():
    from pathlib import Path

    from orchestration.cli import mapping_docs

    committed = (Path(__file__).parents[2] / "ingest" / "MAPPINGS.md").read_text()
    assert committed == mapping_docs(), "run: cpt mappings --out ingest/MAPPINGS.md"
