"""Run a command from a small process and write the command's own peak RSS to a file.

    python -m orchestration.bench.launch RSS_FILE COMMAND...

Linux counts a child's peak RSS from the memory of the process that started it (at exec the child's high-water
mark takes that of the copied parent), so a dbt build started by the benchmark's 2 GB ingest process reported at
least 2 GB whatever it used. Started from this process (tens of MB), the figure is the command's own. Exits with
the command's exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    rss_file, command = Path(argv[0]), argv[1:]
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    rss_file.write_text(str(usage.ru_maxrss))  # KiB
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
