"""The parse one dbt invocation leaves is the next one's start; old invocation folders are pruned."""

import os

from orchestration.dbt_invocation import KEEP, PARTIAL_PARSE, _prune, keep_parse


def test_the_newest_parse_replaces_the_saved_one_whole(tmp_path):
    saved = tmp_path / PARTIAL_PARSE
    keep_parse(tmp_path / "run-1" / PARTIAL_PARSE, saved)  # an invocation that failed before parsing left none
    assert not saved.exists()
    for run, content in (("run-1", b"first"), ("run-2", b"second")):
        (tmp_path / run).mkdir()
        (tmp_path / run / PARTIAL_PARSE).write_bytes(content)
        keep_parse(tmp_path / run / PARTIAL_PARSE, saved)
    assert saved.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == [PARTIAL_PARSE, "run-1", "run-2"]  # no temporary left


def test_only_the_newest_invocation_folders_are_kept(tmp_path):
    for n in range(KEEP + 5):
        folder = tmp_path / f"cpt_dbt_models-{n:03}"
        folder.mkdir()
        os.utime(folder, (1_000_000 + n, 1_000_000 + n))
    (tmp_path / PARTIAL_PARSE).write_bytes(b"parse")
    _prune(tmp_path)
    kept = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert kept == [f"cpt_dbt_models-{n:03}" for n in range(5, KEEP + 5)]
    assert (tmp_path / PARTIAL_PARSE).exists()
