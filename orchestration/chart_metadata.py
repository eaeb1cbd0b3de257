"""What a chart-writing asset reports: where its PNGs are, how many, and the charts themselves inline, so that the
Dagster UI shows them on the materialization."""

import base64
from pathlib import Path

import dagster as dg
from dagster._core.definitions.metadata import RawMetadataMapping


def charts_metadata(folder: Path, written: list[Path], empty: str) -> RawMetadataMapping:
    images = "\n\n".join(
        f"**{path.stem}**\n\n![{path.stem}](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"
        for path in written
    )
    return {"path": str(folder), "charts": len(written), "preview": dg.MetadataValue.md(images or empty)}
