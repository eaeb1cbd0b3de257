"""Run a command from a small process and write the command's peak memory to a file.

    python -m orchestration.bench.launch RSS_FILE COMMAND...

Two figures, in KiB, on one line:

- the command's own peak RSS, as the kernel counts it when the command ends (its children that it waited for
  included, each alone). Linux counts a child's peak RSS from the memory of the process that started it (at exec
  the child's high-water mark takes that of the copied parent), so a dbt build started by the benchmark's 2 GB
  ingest process reported at least 2 GB whatever it used. Started from this process (tens of MB), the figure is
  the command's own;
- the peak of the resident memory of the command and every process under it at the same moment, sampled from
  /proc every SAMPLE_SECONDS. It counts what the kernel's figure cannot: a child the command never waits for, such
  as the JVM under dbt-spark's local session, which holds most of a Spark build's memory.

Exits with the command's exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

SAMPLE_SECONDS = 0.1
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kib(root: int) -> int:
    """The resident memory of process ``root`` and every process under it now, KiB (0 for one gone meanwhile)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])  # after the command name, which may hold ")"
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in tree:
            tree.add(pid)
            todo.extend(parents.get(pid, []))
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
        except (OSError, IndexError, ValueError):
            continue
    return total


def main(argv: list[str]) -> int:
    rss_file, command = Path(argv[0]), argv[1:]
    child = subprocess.Popen(command)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], tree_rss_kib(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    done.set()
    sampler.join()
    rss_file.write_text(f"{usage.ru_maxrss} {max(peak[0], usage.ru_maxrss)}")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
