"""The benchmarks' launcher: a command's own peak RSS as the kernel counts it, and the peak of the command and every
process under it at once — which counts a child it never waits for (the JVM under a Spark build) that the kernel's
figure leaves out."""

import subprocess
import sys

from orchestration.bench.launch import tree_rss_kib
from orchestration.bench.pipeline import run_child

# A parent that starts a child holding 400 MB and exits without waiting for it (as dbt leaves Spark's JVM).
ORPHANING_PARENT = """
import subprocess, sys, time
from pathlib import Path
ready = Path(sys.argv[1])
subprocess.Popen([sys.executable, "-c",
    "import sys, time; from pathlib import Path; held = bytearray(400 << 20); Path(sys.argv[1]).touch(); time.sleep(3)",
    str(ready)])
while not ready.exists():
    time.sleep(0.05)
time.sleep(1)
"""


def test_a_child_the_command_never_waits_for_counts_in_the_tree_peak_only(tmp_path):
    command = [sys.executable, "-c", ORPHANING_PARENT, str(tmp_path / "ready")]
    _, _, own = run_child(command, cwd=tmp_path)
    _, _, tree = run_child([*command[:-1], str(tmp_path / "ready-again")], cwd=tmp_path, tree=True)
    assert own < 200  # MB: the parent alone
    assert tree >= 400


def test_the_tree_of_a_process_sums_its_descendants():
    holder = "import subprocess, sys; held = bytearray(100 << 20); print('ready', flush=True); input()"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {holder!r}])"
    with subprocess.Popen([sys.executable, "-c", parent], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as started:
        assert started.stdout is not None and started.stdout.readline() == b"ready\n"  # the grandchild holds its bytes
        assert tree_rss_kib(started.pid) >= 100 << 10
        started.communicate(b"\n")
