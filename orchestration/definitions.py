"""The one Definitions object of the CPT warehouse (workspace.yaml loads this module).

Found, not listed: every asset, check, job, schedule, sensor and the shared resources defined at module level under
orchestration/defs/ (one folder per source: aws, gcp, tokens, and the warehouse) are loaded by Dagster's defs-folder
loader (pyproject.toml [tool.dg] names the folder). tests/orchestration/test_definitions.py holds the result to a
snapshot.
"""

from pathlib import Path

import dagster as dg

defs = dg.load_from_defs_folder(path_within_project=Path(__file__).resolve().parent)
