"""Budget and anomaly alerts, and their delivery to a webhook (Slack-compatible JSON: {"text": …}).

Each alert has an id made of what it is about (kind, team or series, month or day), so the same alert found by the
next run is the same alert: an alert is posted once, and recorded in alerts/sent.json only after the endpoint
accepted it (a 2xx). An endpoint that is down or refuses leaves the alert pending: the next run posts it again.
A run killed between the endpoint's answer and the record is the one case an alert can be posted twice."""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ingest import duck
from ingest.housekeeping import temporary_prefix

ANOMALY_DAYS = 3  # anomalies of the last days to the as-of day are alerted; older ones stay in the table
SENT = "sent.json"


@dataclass(frozen=True)
class Alert:
    id: str
    severity: str  # "error" (spend over budget) or "warning"
    text: str


def find_alerts(warehouse: Path) -> list[Alert]:
    """The alerts a published warehouse holds: budgets spent or projected over, and recent anomalies."""
    alerts = []
    with duck.connect(str(warehouse), read_only=True) as con:
        budgets = con.sql(
            "select month, team, model, status, cast(budget_usd as double), cast(spent_to_date as double), "
            "cast(projected_cost as double), cast(probability_over_budget as double), as_of_date "
            "from analytics.fct_budget_status where status in ('over_budget', 'projected_over') order by 1, 2, 3"
        ).fetchall()
        anomalies = con.sql(
            "select usage_date, series_level, series_key, measure, cast(actual as double), "
            "cast(expected as double), direction, likely_driver from analytics.fct_cost_anomalies "
            f"where usage_date > (select max(as_of_date) from analytics.fct_forecast_daily) - {ANOMALY_DAYS} "
            "order by 1, 2, 3, 4"
        ).fetchall()
    for month, team, model, status, budget, spent, projected, probability, as_of in budgets:
        scope = team if model == "*" else f"{team} / {model}"
        label = f"{month:%Y-%m}"
        if status == "over_budget":
            text = f":rotating_light: {scope} spent ${spent:,.2f} of its ${budget:,.2f} budget for {label}"
            alerts.append(Alert(f"over_budget|{team}|{model}|{label}", "error", text))
        else:
            text = (
                f":warning: {scope} is projected to spend ${projected:,.2f} in {label} against a ${budget:,.2f} "
                f"budget ({probability:.0%} likely over; forecast as of {as_of})"
            )
            alerts.append(Alert(f"projected_over|{team}|{model}|{label}", "warning", text))
    for day, level, key, measure, actual, expected, direction, driver in anomalies:
        text = (
            f":mag: {level} {key}: {measure} on {day} was {actual:,.2f}, {direction} the expected {expected:,.2f} "
            f"(likely driver: {driver})"
        )
        alerts.append(Alert(f"anomaly|{level}|{key}|{measure}|{day}", "warning", text))
    return alerts


@dataclass(frozen=True)
class Delivery:
    posted: list[str]
    pending: list[str]
    already_sent: int
    error: str | None  # the first failure, in one line


def deliver(alerts: list[Alert], url: str, state: Path, timeout: float = 10.0) -> Delivery:
    """Post every alert not yet accepted to `url`, one request each; record each accepted one at once."""
    sent = _read_sent(state)
    posted, pending, error = [], [], None
    for alert in alerts:
        if alert.id in sent:
            continue
        if error is not None:  # the endpoint failed: keep the rest for the next run instead of hammering it
            pending.append(alert.id)
            continue
        body = json.dumps({"text": alert.text}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as refused:
            error = f"webhook {_redacted(url)} answered HTTP {refused.code} {refused.reason}"
            pending.append(alert.id)
            continue
        except (urllib.error.URLError, OSError) as failure:
            error = f"webhook {_redacted(url)} failed: {getattr(failure, 'reason', failure)}"
            pending.append(alert.id)
            continue
        sent[alert.id] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        _write_sent(state, sent)
        posted.append(alert.id)
    already = sum(1 for alert in alerts if alert.id in sent and alert.id not in posted)
    return Delivery(posted, pending, already, error)


def _redacted(url: str) -> str:
    """The URL without its path (a Slack webhook's path is its secret)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


def _read_sent(state: Path) -> dict[str, str]:
    path = state / SENT
    return json.loads(path.read_text()) if path.exists() else {}


def _write_sent(state: Path, sent: dict[str, str]) -> None:
    state.mkdir(parents=True, exist_ok=True)
    temporary = state / f".{temporary_prefix('write')}{SENT}.tmp"
    temporary.write_text(json.dumps(sent, indent=1, sort_keys=True))
    os.replace(temporary, state / SENT)
