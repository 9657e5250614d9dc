"""`chatops demo`: the page job end to end against the built-in local emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

DEMO_PROJECT = "gitlab-com/gl-infra/production"
DEMO_CONFIG = f'''# Demo configuration: the emulator's projects, policies and routing keys.
incident_project = "{DEMO_PROJECT}"

[teams.gitaly]
display_name = "Gitaly"
routing_key_env = "PAGERDUTY_ROUTING_KEY_GITALY"
escalation_policy_id = "PGITALY1"
labels = ["group::gitaly"]
ack_timeout_minutes = 15
fallback = "No Gitaly expert is on call: ask the Developer Oncall via /devoncall <incident>"

[teams.database]
display_name = "Database"
routing_key_env = "PAGERDUTY_ROUTING_KEY_DATABASE"
escalation_policy_id = "PDBASE01"
labels = ["group::database"]
fallback = "No Database expert is on call: ask the Developer Oncall via /devoncall <incident>"
'''
# Text mode turns the section's "\r" into "\n"; accept both.
_SECTION = re.compile(r"section_start:\d+:chat_reply\s\x1b\[0K\n(.*?)section_end:", re.S)


def job_env(emulator_env: dict[str, str], config: Path, chat_input: str) -> dict[str, str]:
    """The variables GitLab gives a `/chatops run page` job, pointed at the emulator."""
    gitlab_url = emulator_env["GITLAB_URL"]
    return {
        **os.environ, **emulator_env,
        "CHATOPS_CONFIG": str(config), "CI_PIPELINE_SOURCE": "chat", "CHAT_INPUT": chat_input,
        "CHAT_CHANNEL": "C0DEMOCHAN", "CHAT_USER_ID": "U0DEMOUSER",
        "GITLAB_USER_LOGIN": "sre-alice", "CI_PIPELINE_ID": "424242", "CI_JOB_ID": "5150",
        "CI_JOB_URL": f"{gitlab_url}/gitlab-com/gl-infra/chatops/-/jobs/5150",
        "CI_SERVER_URL": gitlab_url, "CI_PROJECT_PATH": "gitlab-com/gl-infra/chatops",
    }


def _show_issue(issue: dict[str, Any], notes: list[dict[str, Any]]) -> None:
    """Print the incident issue the way a person would read it."""
    click.secho(f"\n=== Incident issue {issue['web_url']} ===", bold=True)
    click.echo(f"Title:  {issue['title']}\nLabels: {', '.join(issue['labels'])}\n")
    click.echo(issue["description"])
    for note in notes:
        click.secho(f"--- comment by @{note['author']['username']} ---", bold=True)
        click.echo(note["body"])


@click.command()
@click.option("--chat-input", default="gitaly praefect is failing over on file-01",
              show_default=True, help="What the SRE types after /chatops run page.")
def demo(chat_input: str) -> None:
    """Run the page job against the local emulator: no credentials, nothing leaves this machine."""
    from chatops.emulator import Emulator

    with Emulator.start() as emu, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "chatops.toml"
        config.write_text(DEMO_CONFIG, encoding="utf-8")
        click.secho(f"$ /chatops run page {chat_input}", bold=True)
        job = subprocess.run([sys.executable, "-m", "chatops", "page"], capture_output=True,
                             text=True, env=job_env(emu.env(), config, chat_input), check=False,
                             timeout=300)
        click.secho("\n=== ChatOps job log ===", bold=True)
        click.echo(job.stdout + job.stderr)
        reply = _SECTION.search(job.stdout)
        click.secho("=== What Slack shows ===", bold=True)
        click.echo(reply.group(1).strip() if reply else "(no chat reply section: see the log)")
        issues = emu.gitlab.issues(DEMO_PROJECT)
        for issue in issues:
            _show_issue(issue, emu.gitlab.notes(DEMO_PROJECT, issue["iid"]))
        click.secho("\n=== PagerDuty ===", bold=True)
        for incident in emu.pagerduty.incidents:
            click.echo(f"Incident {incident['id']} [{incident['status']}] {incident['title']}")
        if job.returncode != 0:
            sys.exit(job.returncode)
