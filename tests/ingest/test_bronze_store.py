"""Bronze on S3: the copy of the bronze folder (against moto's S3 server over HTTP) and DuckDB reading it in place."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.bronze import replace_partition, staging_dir, write_partition
from ingest.bronze_store import (
    BronzeLocation,
    BronzeLocationError,
    bronze_files,
    mirror_bronze,
    object_storage,
    register_bronze_filesystem,
)
from tests.fakes import s3 as s3_fake

SCHEMA = {"request_id": pl.String, "output_tokens": pl.Int64}


def _bronze(root: Path) -> Path:
    """A bronze folder as ingest leaves it: typed empty files, a partition per day, part files of a streamed day,
    and what a reader never sees (the staging area, a file still being written)."""
    bronze = root / "bronze"
    for day, tokens in (("2026-10-01", [10, 20]), ("2026-10-02", [30])):
        frame = pl.DataFrame({"request_id": [f"{day}-{n}" for n in range(len(tokens))], "output_tokens": tokens})
        write_partition(frame, bronze, "requests", {"day": day}, SCHEMA)
    _stream_day(bronze, "2026-10-03", [5, 6, 7])
    (staging_dir(bronze) / "leftover.parquet").write_bytes(b"not yet")
    (bronze / "requests" / "day=2026-10-01" / ".write-1-x.parquet.tmp").write_bytes(b"half")
    return bronze


def _stream_day(bronze: Path, day: str, tokens: list[int]) -> None:
    part = staging_dir(bronze) / "part.parquet.tmp"
    pl.DataFrame({"request_id": [f"{day}-{t}" for t in tokens], "output_tokens": tokens}).write_parquet(part)
    replace_partition(bronze, "requests", {"day": day}, [part], SCHEMA)


def _keys(s3, prefix: str) -> dict[str, str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=s3_fake.BUCKET, Prefix=prefix)
    return {item["Key"][len(prefix) :]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def test_where_bronze_is_read_from(tmp_path):
    bronze = tmp_path / "bronze"
    assert object_storage("", bronze) is None
    assert object_storage(str(bronze), bronze) is None
    assert object_storage("s3://lake/cpt/bronze/", bronze) == BronzeLocation("lake", "cpt/bronze/")
    assert object_storage("s3://lake", bronze) == BronzeLocation("lake", "")
    for refused in ("gs://lake/bronze", str(tmp_path / "elsewhere"), "s3:///no-bucket"):
        with pytest.raises(BronzeLocationError, match="CPT_BRONZE_URI"):
            object_storage(refused, bronze)


def test_the_copy_holds_exactly_what_a_reader_of_the_folder_sees(bucket, tmp_path):
    bronze = _bronze(tmp_path)
    location = BronzeLocation(s3_fake.BUCKET, "lake/bronze/")
    first = mirror_bronze(bronze, location, client=bucket)
    expected = set(bronze_files(bronze))
    assert "requests/_empty/data.parquet" in expected and not any("staging" in k or ".tmp" in k for k in expected)
    assert set(_keys(bucket, "lake/bronze/")) == expected
    assert (first.uploaded, first.deleted, first.unchanged) == (len(expected), 0, 0)
    assert first.bytes_uploaded == sum(p.stat().st_size for p in bronze_files(bronze).values())

    # idempotent: nothing changed, nothing sent
    again = mirror_bronze(bronze, location, client=bucket)
    assert (again.uploaded, again.deleted, again.unchanged) == (0, 0, len(expected))


def test_a_replaced_day_replaces_its_files_in_the_bucket(bucket, tmp_path):
    bronze = _bronze(tmp_path)
    location = BronzeLocation(s3_fake.BUCKET, "")
    mirror_bronze(bronze, location, client=bucket)
    old_parts = {k for k in _keys(bucket, "") if k.startswith("requests/day=2026-10-03/")}
    write_partition(
        pl.DataFrame({"request_id": ["x"], "output_tokens": [99]}), bronze, "requests", {"day": "2026-10-01"}, SCHEMA
    )
    _stream_day(bronze, "2026-10-03", [8])  # a restated day: new part names, the old ones gone from the folder

    report = mirror_bronze(bronze, location, client=bucket)
    assert (report.uploaded, report.deleted) == (2, len(old_parts))
    assert set(_keys(bucket, "")) == set(bronze_files(bronze))
    with duckdb.connect() as con:
        register_bronze_filesystem(con, _environment(bucket, f"s3://{s3_fake.BUCKET}"))
        tokens = con.execute(
            f"select sum(output_tokens) from read_parquet('s3://{s3_fake.BUCKET}/requests/**/*.parquet')"
        )
        assert tokens.fetchone() == (99 + 30 + 8,)  # the restated days once, never beside their old files


def test_a_copy_killed_half_way_is_finished_by_the_next(bucket, tmp_path):
    bronze = _bronze(tmp_path)
    location = BronzeLocation(s3_fake.BUCKET, "p/")

    class DiesOnThirdUpload:
        def __init__(self) -> None:
            self.uploads = 0

        def __getattr__(self, name):
            return getattr(bucket, name)

        def put_object(self, **kwargs):
            self.uploads += 1
            if self.uploads == 3:
                raise KeyboardInterrupt  # the process is stopped mid-copy
            return bucket.put_object(**kwargs)

    with pytest.raises(KeyboardInterrupt):
        mirror_bronze(bronze, location, client=DiesOnThirdUpload())
    assert len(_keys(bucket, "p/")) == 2
    report = mirror_bronze(bronze, location, client=bucket)
    assert (report.uploaded, report.unchanged) == (len(bronze_files(bronze)) - 2, 2)
    assert set(_keys(bucket, "p/")) == set(bronze_files(bronze))


def test_duckdb_reads_the_bucket_in_place_as_it_reads_the_folder(bucket, tmp_path):
    bronze = _bronze(tmp_path)
    mirror_bronze(bronze, BronzeLocation(s3_fake.BUCKET, "lake/"), client=bucket)
    query = (
        "select request_id, output_tokens from read_parquet('{}/requests/**/*.parquet', union_by_name=true) order by 1"
    )
    with duckdb.connect() as con:
        local = con.sql(query.format(bronze)).fetchall()
    with duckdb.connect() as con:
        register_bronze_filesystem(con, _environment(bucket, f"s3://{s3_fake.BUCKET}/lake"))
        assert con.sql(query.format(f"s3://{s3_fake.BUCKET}/lake")).fetchall() == local
        names = con.sql(
            f"select filename from read_parquet('s3://{s3_fake.BUCKET}/lake/requests/**/*.parquet', filename=true)"
        )
        assert all(name.startswith(f"s3://{s3_fake.BUCKET}/lake/requests/") for (name,) in names.fetchall())
    assert len(local) == 6


def test_local_bronze_registers_nothing():
    class Connection:
        def register_filesystem(self, filesystem):
            raise AssertionError("no file system for local bronze")

    register_bronze_filesystem(Connection(), {"CPT_BRONZE_URI": ""})


def _environment(bucket, uri: str) -> dict[str, str]:
    """The settings of a reader of ``uri``: moto's endpoint, its dummy credentials (the credential chain's
    environment)."""
    return {**s3_fake.ENVIRONMENT, "AWS_ENDPOINT_URL_S3": bucket.meta.endpoint_url, "CPT_BRONZE_URI": uri}


def test_a_bucket_that_cannot_be_written_is_an_error_naming_it(bucket, tmp_path):
    bronze = _bronze(tmp_path)
    with pytest.raises(BronzeLocationError, match=r"CPT_BRONZE_URI=s3://no-such-bucket/p: cannot copy bronze there"):
        mirror_bronze(bronze, BronzeLocation("no-such-bucket", "p/"), client=bucket)
