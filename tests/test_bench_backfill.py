"""The backfill benchmark: the months it runs, its money check, and one real backfill at a tiny scale (the row
written, the month charged to the cent of what was generated). Times are never asserted."""

from decimal import Decimal

import pytest

from orchestration.bench.backfill import HEADER, main, markdown_row, mismatches, window

TRUTH = {"months": {"2026-09": {"in_scope_effective_usd": 10.004}, "2026-10": {"in_scope_effective_usd": 20.0}}}


def test_a_window_is_the_last_months_oldest_first_across_a_year_end():
    assert window(3, "2027-01") == ["2026-11", "2026-12", "2027-01"]
    assert window(1, "2026-10") == ["2026-10"]


def test_a_month_charged_a_cent_off_or_missing_is_named():
    charged = {"2026-09": Decimal("10.00"), "2026-10": Decimal("20.0049")}
    assert mismatches(charged, TRUTH, ["2026-09", "2026-10"]) == []
    assert mismatches({"2026-10": Decimal("20.01")}, TRUTH, ["2026-09", "2026-10"]) == [
        "2026-09: charged 0.00, generated 10.00",
        "2026-10: charged 20.01, generated 20.00",
    ]


@pytest.mark.slow
def test_a_one_month_backfill_charges_what_was_generated_and_writes_its_row(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n" + HEADER)
    (run,) = main(["--scale", "5000", "--months", "1", "--write", str(out), "--workdir", str(tmp_path / "w")])
    assert run["wrong"] == [], run["wrong"]
    assert run["months"] == 1 and run["requests"] > 4_000 and run["over_linear"] == pytest.approx(1.0)
    assert out.read_text().strip().endswith(markdown_row("5000", run).split(" | ", 1)[1])
