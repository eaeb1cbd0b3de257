import hashlib
import re
from pathlib import Path

import pytest

from ingest.landing.sources import LocalFolderSource, SourceObject, UnsafeKeyError, index_by_key, safe_relative_key
from ingest.landing.zone import LandingError, LandingZone


@pytest.mark.parametrize("key", ["../etc/passwd", "/etc/passwd", "a/../../b", "a\\..\\b", ""])
def test_keys_that_escape_the_landing_folder_are_refused(key):
    with pytest.raises(UnsafeKeyError, match="escape the landing folder"):
        safe_relative_key(key)


def test_landing_copies_exactly_with_checksum_and_leaves_no_temporary_file(tmp_path):
    source_dir = tmp_path / "src"
    (source_dir / "exports" / "m").mkdir(parents=True)
    payload = b"line_item,cost\n1,2.5\n" * 1000
    (source_dir / "exports" / "m" / "part-1.csv").write_bytes(payload)
    source = LocalFolderSource(source_dir)
    zone = LandingZone(tmp_path / "landing")

    files = zone.land_delivery(source, source.list_objects("exports"), "billing/test")

    assert len(files) == 1
    checksum = hashlib.sha256(payload).hexdigest()
    landed = tmp_path / "landing" / "billing" / "test" / "versions" / checksum[:16] / "exports" / "m" / "part-1.csv"
    assert landed.read_bytes() == payload and files[0].path == str(landed)
    assert files[0].sha256 == checksum
    assert zone.manifest("billing/test") == files
    assert not list((tmp_path / "landing").rglob(".landing-*"))


def test_every_version_of_a_key_is_kept(tmp_path):
    """A re-delivered key (perhaps refused later) never overwrites the content an earlier load came from."""
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    zone = LandingZone(tmp_path / "landing")
    source = LocalFolderSource(source_dir)
    paths = []
    for payload in (b"good month", b"restated month", b"good month"):
        (source_dir / "bill.csv").write_bytes(payload)
        paths.append(zone.land_delivery(source, source.list_objects(), "billing/test")[0].path)
    assert paths[0] == paths[2] != paths[1]
    assert sorted(Path(p).read_bytes() for p in set(paths)) == [b"good month", b"restated month"]
    assert len(zone.manifest("billing/test")) == 3  # every receipt recorded


def test_a_short_read_is_an_error_and_nothing_is_landed(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f.csv").write_bytes(b"abc")
    zone = LandingZone(tmp_path / "landing")
    with pytest.raises(LandingError, match="listed 10 bytes, received 3"):
        zone.land(LocalFolderSource(tmp_path / "src"), SourceObject("f.csv", 10), "billing/x")
    assert not any(p.is_file() for p in (tmp_path / "landing").rglob("*"))


def test_a_link_out_of_the_source_folder_is_neither_listed_nor_fetched(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "bill.csv").write_text("a,b")
    root = tmp_path / "src"
    (root / "exports").mkdir(parents=True)
    (root / "exports" / "bill.csv").write_text("cost\n1")
    (root / "exports" / "passwd.csv").symlink_to(outside)
    (root / "exports" / "linked-folder").symlink_to(tmp_path / "elsewhere")
    (root / "exports" / "same-bill.csv").symlink_to(root / "exports" / "bill.csv")  # inside: allowed
    source = LocalFolderSource(root)

    assert [o.key for o in source.list_objects()] == ["exports/bill.csv", "exports/same-bill.csv"]
    assert sorted(source.links_refused) == ["exports/linked-folder", "exports/passwd.csv"]
    with pytest.raises(UnsafeKeyError, match="leaves the source folder"):
        source.fetch("exports/passwd.csv", tmp_path / "copy")
    (tmp_path / "elsewhere" / "secret.csv").write_text("x")
    assert source.list_objects("exports/linked-folder") == []  # a prefix through the link lists nothing
    assert source.links_refused == ["exports/linked-folder"]


@pytest.mark.parametrize("spelling", ["exports//bill.csv", "./exports/bill.csv", "exports/./bill.csv"])
def test_keys_that_name_the_same_file_are_refused_not_silently_merged(spelling):
    objects = [SourceObject("exports/bill.csv", 3), SourceObject(spelling, 5)]
    with pytest.raises(UnsafeKeyError, match=re.escape("name the same file 'exports/bill.csv'")):
        index_by_key(objects)
    assert list(index_by_key([SourceObject(spelling, 5)])) == ["exports/bill.csv"]
