"""`make reports-preview`: the month's reports as pictures a reviewer can look at — every page of every PDF as PNG
(pdftoppm, Debian's poppler-utils) and the showback page as a headless Chromium screenshot (Debian's chromium) —
under $CPT_DATA_DIR/reports/preview-YYYY-MM/.

    python -m ingest.reports.preview [--month YYYY-MM]    (default: the latest month with reports)"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ingest.paths import DataLayout
from ingest.reports.store import month_folder

CHROMIUM_FLAGS = [  # headless, and quiet on a machine without internet (no sync, no updates, no first run)
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def reports_folder(layout: DataLayout, label: str) -> Path:
    """An open month's reports, or a closed month's as issued."""
    closed = month_folder(layout.closed, dt.date.fromisoformat(f"{label}-01")) / "reports"
    return closed if closed.is_dir() else layout.reports / label


def pdf_pages(folder: Path, out: Path, resolution: int = 80) -> list[Path]:
    """Every page of every PDF under `folder` as PNG in `out`, named after the PDF's path (teams_<team>_statement-
    YYYY-MM-<page>.png)."""
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for pdf in sorted(folder.rglob("*.pdf")):
        name = "_".join(pdf.relative_to(folder).with_suffix("").parts)
        subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(pdf), str(out / name)], check=True)
        pages += sorted(out.glob(f"{name}-*.png"))
    return pages


def screenshot(html: Path, png: Path, size: str = "1280,800") -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise FileNotFoundError("chromium is not installed (`make reports-preview` installs Debian's chromium)")
    with tempfile.TemporaryDirectory(prefix="cpt-chromium-") as profile:
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
                   f"--screenshot={png}", html.resolve().as_uri()]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", help="YYYY-MM; default: the latest month with reports")
    args = parser.parse_args(argv)
    layout = DataLayout(Path(os.environ.get("CPT_DATA_DIR", "data")).resolve())
    months = sorted(p.name for p in layout.reports.glob("????-??")) + sorted(
        p.name.removeprefix("month=") for p in layout.closed.glob("month=*")
    )
    label = args.month or (max(months) if months else None)
    if label is None:
        print(f"no reports under {layout.reports}: run `make demo` or `cpt reports` first", file=sys.stderr)
        return 1
    folder = reports_folder(layout, label)
    out = layout.reports / f"preview-{label}"
    shutil.rmtree(out, ignore_errors=True)
    pages = pdf_pages(folder, out)
    shot = screenshot(folder / f"showback-{label}.html", out / f"showback-{label}.png")
    print(f"{len(pages)} PDF pages and the showback page as PNG in {out}")
    for path in [*pages, shot]:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
