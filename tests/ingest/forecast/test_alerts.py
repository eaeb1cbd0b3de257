"""Alert delivery to a webhook on 127.0.0.1: each alert once, an endpoint that is down or refusing leaves the alerts
for the next run, and the webhook's secret path never reaches an error message."""

from ingest.forecast.alerts import Alert, deliver
from tests.fakes.http import free_port
from tests.fakes.webhook_server import WebhookServer

ALERTS = [
    Alert("over_budget|search|*|2026-10", "error", "search spent $60,000.00 of its $52,000.00 budget"),
    Alert("projected_over|research|*|2026-11", "warning", "research is projected over"),
]


def test_each_alert_is_posted_once_as_slack_json(tmp_path):
    with WebhookServer() as hook:
        first = deliver(ALERTS, hook.hook_url, tmp_path)
        again = deliver(ALERTS, hook.hook_url, tmp_path)
    assert [body["text"] for body in hook.received] == [a.text for a in ALERTS]
    assert first.posted == [a.id for a in ALERTS] and first.error is None
    assert again.posted == [] and again.already_sent == 2


def test_an_endpoint_that_is_down_keeps_the_alerts_for_the_next_run(tmp_path):
    down = f"http://127.0.0.1:{free_port()}/services/T000/B000/secret"
    missed = deliver(ALERTS, down, tmp_path)
    assert missed.posted == [] and missed.pending == [a.id for a in ALERTS]
    assert missed.error is not None and "secret" not in missed.error  # the URL's path is the webhook's key
    with WebhookServer() as hook:
        later = deliver(ALERTS, hook.hook_url, tmp_path)
        deliver(ALERTS, hook.hook_url, tmp_path)
    assert later.posted == [a.id for a in ALERTS]
    assert len(hook.received) == 2  # posted when the endpoint came back, and never again


def test_a_refusing_endpoint_stops_the_round_and_nothing_is_recorded_as_sent(tmp_path):
    with WebhookServer() as hook:
        hook.failing = True
        refused = deliver(ALERTS, hook.hook_url, tmp_path)
        hook.failing = False
        retried = deliver(ALERTS, hook.hook_url, tmp_path)
    assert refused.posted == [] and len(refused.pending) == 2 and "503" in (refused.error or "")
    assert retried.posted == [a.id for a in ALERTS] and len(hook.received) == 2


def test_a_new_alert_is_posted_after_the_old_ones_without_repeating_them(tmp_path):
    with WebhookServer() as hook:
        deliver(ALERTS[:1], hook.hook_url, tmp_path)
        deliver(ALERTS, hook.hook_url, tmp_path)
    assert [body["text"] for body in hook.received] == [a.text for a in ALERTS]
