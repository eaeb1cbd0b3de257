"""What a killed process leaves behind, named so that it is never read and always cleaned.

Every temporary file or folder this code writes carries the writing process's id in its name
(``.write-<pid>-….parquet.tmp``, ``.landing-<pid>-…``, ``.publish-<pid>-….duckdb``, ``cpt-tokens-<pid>-…``,
``partition-<pid>-…``, ``retired-<pid>-…``) and a name no reader matches: bronze is read through
``**/*.parquet`` globs, and no temporary name ends in ``.parquet``. A process that is killed leaves such names
behind; ``clean_leftovers`` removes those whose process is gone (a live run's files are never touched, so it is
safe to call while another run writes).

A partition swap (``ingest.bronze.replace_partition``) moves the old folder out and the new one in; a journal
written before the first rename lets ``clean_leftovers`` finish a swap that a kill interrupted in between, so a
partition is never left missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

# <optional dot><kind>-<pid>-<random>…  (kinds: the temporary names this package writes)
TEMPORARY_NAME = re.compile(r"^\.?(?:write|landing|publish|swap|partition|retired|cpt-[a-z]+)-(?P<pid>\d+)-")
# Names written before temporary names carried a process id: no process of this version writes them.
_UNOWNED = re.compile(r"^\.(?:write|landing|publish)-[^0-9]")


def temporary_prefix(kind: str) -> str:
    """A temporary name's prefix for this process: ``.write-1234-`` (hidden kinds start with a dot)."""
    return f"{kind}-{os.getpid()}-"


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _abandoned(name: str) -> bool:
    if match := TEMPORARY_NAME.match(name):
        return not process_alive(int(match["pid"]))
    return bool(_UNOWNED.match(name))


def finish_interrupted_swaps(staging: Path) -> list[Path]:
    """Complete every partition swap whose process died between its two renames; returns the partitions."""
    finished = []
    for journal in sorted(staging.glob("swap-*.json")):
        if not _abandoned(journal.name):
            continue
        swap = json.loads(journal.read_text())
        folder, fresh, retired = Path(swap["folder"]), Path(swap["fresh"]), Path(swap["retired"])
        if not folder.exists():
            # The new partition was complete before the swap began: roll forward; else put the old one back.
            for candidate in (fresh, retired):
                if candidate.exists():
                    os.replace(candidate, folder)
                    finished.append(folder)
                    break
        journal.unlink()
    return finished


def clean_leftovers(data_dir: Path) -> list[Path]:
    """Remove the temporary files and folders of processes that are gone, where this code writes them — bronze,
    the landing zone, the warehouse folder (charts and gateway limits included), the forecast step's output, the
    alerts' record, reports being written, closes under way, and the top of the system's temporary folder — after
    finishing interrupted partition swaps; returns what was removed."""
    data_dir = Path(data_dir)
    staging = data_dir / "bronze" / ".staging"
    if staging.is_dir():
        finish_interrupted_swaps(staging)
    removed: list[Path] = []
    tmp = Path(tempfile.gettempdir())
    roots = ["bronze", "landing", "warehouse", "forecast", "alerts", "reports", "closing"]
    for root in [*(data_dir / name for name in roots), tmp]:
        if not root.is_dir():
            continue
        walk = os.walk(root) if root != tmp else [(str(root), os.listdir(root), [])]
        for folder, dirs, files in walk:
            for name in [*dirs, *files]:
                if not _abandoned(name) or (root == tmp and not name.startswith("cpt-")):
                    continue
                path = Path(folder) / name
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                    if name in dirs:
                        dirs.remove(name)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
    return removed


_hits: dict[str, int] = {}


def fault_point(name: str) -> None:
    """A place where the kill tests end the process as a crash would (SIGKILL: no cleanup, no finally).

    ``CPT_KILL_AT=<name>`` kills at the first pass through ``name``, ``<name>:<n>`` at the n-th. Unset — always,
    outside those tests — this is one dictionary lookup."""
    target = os.environ.get("CPT_KILL_AT")
    if not target:
        return
    point, _, nth = target.partition(":")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
