"""Benchmarks that measure one part of the pipeline against a floor measured in the same run."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    """Cores this process may use, memory, architecture: how every benchmark row names its machine."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{len(os.sched_getaffinity(0))} cores, {memory:.0f} GiB, {platform.machine()}"
