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

from chatops.core.labels import RECORD, SYNC_STATE

DEMO_PROJECT = "gitlab-com/gl-infra/production"
# Issues chatops keeps for itself (the sync cursor, the record of requests not paged).
BOOKKEEPING = {SYNC_STATE, RECORD}
DEMO_CONFIG = f'''# Demo configuration: the emulator's projects, policies and routing keys.
incident_project = "{DEMO_PROJECT}"

[teams.gitaly]
display_name = "Gitaly"
routing_key_env = "PAGERDUTY_ROUTING_KEY_GITALY"
escalation_policy_id = "PGITALY1"
labels = ["group::gitaly"]
ack_timeout_minutes = 15
fallback = "Ask the Developer Oncall: /devoncall <incident>"

[teams.database]
display_name = "Database"
routing_key_env = "PAGERDUTY_ROUTING_KEY_DATABASE"
escalation_policy_id = "PDBASE01"
labels = ["group::database"]
fallback = "Ask the Developer Oncall: /devoncall <incident>"
'''
# Text mode turns the section's "\r" into "\n"; accept both.
_SECTION = re.compile(r"section_start:\d+:chat_reply\s\x1b\[0K\n(.*?)section_end:", re.S)
_WHOLE_SECTION = re.compile(
    r"section_start:\d+:chat_reply.*?section_end:\d+:chat_reply\s\x1b\[0K\n", re.S)


def job_env(emulator_env: dict[str, str], config: Path, chat_input: str) -> dict[str, str]:
    """The variables GitLab gives a `/chatops run page` job, pointed at the emulator."""
    gitlab_url = emulator_env["GITLAB_URL"]
    return {
        **os.environ, **emulator_env,
        "CHATOPS_CONFIG": str(config), "CI_PIPELINE_SOURCE": "chat", "CHAT_INPUT": chat_input,
        "CHAT_CHANNEL": "C0DEMOCHAN", "CHAT_USER_ID": "U0DEMOUSER",
        "GITLAB_USER_LOGIN": "sre-alice", "GITLAB_USER_ID": "101", "CI_PIPELINE_ID": "424242",
        "CI_JOB_ID": "5150",
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


def _job(emu: Any, config: Path, title: str, args: list[str], chat_input: str = "",
         **extra: str) -> int:
    """Run one chatops job as GitLab would and show its log and its Slack reply."""
    click.secho(f"\n$ {title}", bold=True, fg="cyan")
    env = {**job_env(emu.env(), config, chat_input), **extra}
    if not chat_input:
        env.pop("CI_PIPELINE_SOURCE")
    # -P: the installed chatops, never a checkout's sources from the current folder.
    job = subprocess.run([sys.executable, "-P", "-m", "chatops", *args], capture_output=True,
                         text=True, env=env, check=False, timeout=300)
    log = _WHOLE_SECTION.sub("", job.stdout)
    click.echo("--- job log ---\n" + (log + job.stderr).strip())
    reply = _SECTION.search(job.stdout)
    if reply:
        click.secho("--- what Slack shows ---", bold=True)
        click.echo(reply.group(1).strip())
    return job.returncode


@click.command()
@click.option("--chat-input", default="gitaly praefect is failing over on file-01",
              show_default=True, help="What the SRE types after /chatops run page.")
def demo(chat_input: str) -> None:
    """The whole story against the local emulator: page, escalation, ack, resolve.

    No credentials; nothing leaves this machine.
    """
    try:
        from chatops_emulator import Emulator
    except ImportError as exc:  # installed without the emulator extra
        raise click.ClickException(
            f"The local emulator is not installed ({exc}). Install it with "
            "`pip install 'chatops[emulator]'` (from a checkout: `pip install '.[emulator]'`), "
            "then run `chatops demo` again.") from exc

    with Emulator.start() as emu, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "chatops.toml"
        config.write_text(DEMO_CONFIG, encoding="utf-8")
        status = _job(emu, config, f"/chatops run page {chat_input}", ["page"], chat_input)
        if status != 0 or not emu.pagerduty.incidents:
            sys.exit(status or 1)
        incident = emu.pagerduty.incidents[0]["id"]
        click.secho("\n... nobody acknowledges: PagerDuty escalates to level 2, Grace Hopper "
                    "acknowledges and adds a note ...", fg="yellow")
        emu.pagerduty.escalate(incident, 2)
        emu.pagerduty.acknowledge(incident, "PUSRGRC")
        emu.pagerduty.annotate(incident, "PUSRGRC", "Failing over to file-02 now.")
        _job(emu, config, "chatops sync   (scheduled pipeline)", ["sync"])
        _job(emu, config, "/chatops run escalation status 1", ["escalation"], "status 1")
        # Grace, who acknowledged, resolves it: PagerDuty records her as the user who did.
        _job(emu, config, "/chatops run escalation resolve 1 failed over to file-02   (Grace)",
             ["escalation"], "resolve 1 failed over to file-02",
             GITLAB_USER_LOGIN="ghopper", GITLAB_USER_EMAIL="grace@example.com")
        _job(emu, config, "chatops sync   (scheduled pipeline)", ["sync"])
        for issue in emu.gitlab.issues(DEMO_PROJECT):
            if set(issue["labels"]) & BOOKKEEPING:
                continue  # chatops' own state and record issues, not incidents
            _show_issue(issue, emu.gitlab.notes(DEMO_PROJECT, issue["iid"]))
        click.secho("\n=== PagerDuty ===", bold=True)
        for item in emu.pagerduty.incidents:
            click.echo(f"Incident #{item['incident_number']} [{item['status']}] {item['title']}")
