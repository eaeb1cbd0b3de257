"""Gateway limits as LiteLLM request bodies: one POST /team/update body per line (JSON lines), made from
analytics.fct_gateway_team_limits, so that the gateway enforces the budgets the warehouse measures. Apply with:

    while read -r body; do curl -fsS -X POST "$LITELLM_URL/team/update" -d "$body" \\
        -H "Authorization: Bearer $LITELLM_MASTER_KEY" -H 'Content-Type: application/json'; \\
    done < "$CPT_DATA_DIR/warehouse/gateway/litellm_team_update.jsonl"
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ingest import duck
from ingest.housekeeping import temporary_prefix

FILE = "litellm_team_update.jsonl"


def team_update_bodies(warehouse: Path) -> list[dict]:
    with duck.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            "select team_id, cast(max_budget as double), budget_duration, tpm_limit "
            "from analytics.fct_gateway_team_limits order by team"
        ).fetchall()
    # no tpm_limit when the tokens a budget buys are unknown (no tokens forecast): LiteLLM keeps its current one
    return [
        {"team_id": team_id, "max_budget": round(budget, 2), "budget_duration": duration}
        | ({"tpm_limit": tpm} if tpm is not None else {})
        for team_id, budget, duration, tpm in rows
    ]


def write_bodies(bodies: list[dict], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{temporary_prefix('write')}{FILE}.tmp"
    temporary.write_text("".join(json.dumps(body, sort_keys=True) + "\n" for body in bodies))
    os.replace(temporary, folder / FILE)
    return folder / FILE
