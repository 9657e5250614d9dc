"""`chatops webhook`: apply the one incident a PagerDuty v3 webhook names."""

from __future__ import annotations

import os

import click

from chatops.cli.sync import run_sync_job
from chatops.webhook import incident_from_payload


@click.command()
@click.option("--payload", "payload_file", type=click.Path(dir_okay=False),
              help="The webhook body (default: the file named by TRIGGER_PAYLOAD).")
def webhook(payload_file: str | None) -> None:
    """Apply one incident named by a PagerDuty v3 webhook (a pipeline-trigger job)."""
    named: list[str] = []

    def read() -> None:
        named.append(incident_from_payload(payload_file or os.environ.get("TRIGGER_PAYLOAD")))

    run_sync_job("webhook", lambda follower: follower.follow_one(named[0]), wait_seconds=30,
                   before=read)
