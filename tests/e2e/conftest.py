"""End-to-end harness: the installed CLI as a subprocess against the emulator."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chatops.cli.demo import DEMO_CONFIG, DEMO_PROJECT, job_env
from chatops.core.labels import RECORD, SYNC_STATE
from chatops_emulator import Emulator
from tests.support import gitlab_spec
from tests.support.pd_spec import PagerDutySpec, spec_available

SECTION = re.compile(r"section_start:\d+:chat_reply\s\x1b\[0K\n(.*?)section_end:\d+:chat_reply",
                     re.S)
FAST_HTTP = ("\n[http]\ntimeout_seconds = 2\nlookup_budget_seconds = 2.5\n"
             "gitlab_budget_seconds = 4\npagerduty_budget_seconds = 6\n")


@dataclass
class Job:
    """One finished `chatops page` job."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def reply(self) -> str:
        """What Slack shows: the chat_reply section."""
        match = SECTION.search(self.stdout)
        assert match, f"no chat_reply section in:\n{self.stdout}\n{self.stderr}"
        return match.group(1).strip()

    @property
    def audit(self) -> list[str]:
        """The audit lines of the job log."""
        return [line for line in self.stdout.splitlines() if line.startswith("AUDIT ")]

    @property
    def result(self) -> str:
        """The RESULT line: the true outcome, also for failed pages (on stderr when the
        command's standard output is its product, as for `report`)."""
        lines = [ln for ln in self.stdout.splitlines() if ln.startswith("RESULT ")] or [
            ln for ln in self.stderr.splitlines() if ln.startswith("RESULT ")]
        assert len(lines) == 1, self.stdout + self.stderr
        return lines[0]


def chatops_command() -> list[str]:
    """The installed console script (falls back to python -m chatops)."""
    script = shutil.which("chatops", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "chatops"]


class Harness:
    """Runs jobs against one emulator and checks what crosses the wire."""

    def __init__(self, emu: Emulator, tmp: Path) -> None:
        self.emu, self.tmp = emu, tmp
        self.config = tmp / "chatops.toml"
        self.write_config()

    def write_config(self, **days: list[str]) -> None:
        """The demo config with fast timeouts; coverage every day unless days are given."""
        every = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        tables = "".join(f"\n[teams.{team}.coverage]\ndays = {days.get(team, every)!r}\n"
                         for team in ("gitaly", "database")).replace("'", '"')
        self.config.write_text(DEMO_CONFIG + tables + FAST_HTTP, encoding="utf-8")

    def env(self, chat_input: str = "", **extra: str | None) -> dict[str, str]:
        """The job's environment; a None value removes a variable."""
        env = job_env(self.emu.env(), self.config, chat_input)
        env["CI_PIPELINE_ID"] = extra.pop("CI_PIPELINE_ID", None) or "1001"
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def page(self, chat_input: str = "", *args: str, timeout: float = 120,
             **extra: str | None) -> Job:
        """Run `chatops page` like the ChatOps job would; check no secret leaked."""
        return self.run("page", *args, chat_input=chat_input, timeout=timeout, **extra)

    def run(self, *args: str, chat_input: str = "", timeout: float = 120,
            **extra: str | None) -> Job:
        """Run any chatops command as its CI job would; check no secret leaked."""
        proc = subprocess.run([*chatops_command(), *args], capture_output=True,
                              text=True, env=self.env(chat_input, **extra), timeout=timeout,
                              check=False, cwd=self.tmp)
        job = Job(proc.returncode, proc.stdout, proc.stderr)
        for secret in self.emu.secrets():
            assert secret not in job.stdout + job.stderr, "a secret leaked into the job output"
        return job

    def issues(self) -> list[dict[str, Any]]:
        """Issues of the incident project, without the durable record's (see records()) and
        sync's state issue (see sync_state())."""
        return [i for i in self.emu.gitlab.issues(DEMO_PROJECT)
                if not {RECORD, SYNC_STATE} & set(i["labels"])]

    def records(self) -> list[dict[str, Any]]:
        """The notes of chatops' record issues (requests that did not page at once)."""
        return [note for i in self.emu.gitlab.issues(DEMO_PROJECT)
                if RECORD in i["labels"] for note in self.notes(i["iid"])]

    def sync_state(self) -> dict[str, Any]:
        """Sync's state issue."""
        (state,) = [i for i in self.emu.gitlab.issues(DEMO_PROJECT)
                    if SYNC_STATE in i["labels"]]
        return state

    def notes(self, iid: int, project: str = DEMO_PROJECT) -> list[dict[str, Any]]:
        """Notes of one issue."""
        return self.emu.gitlab.notes(project, iid)

    def sent(self, service: str, method: str | None = None) -> list[Any]:
        """Requests the emulator received from one service."""
        return [r for r in self.emu.requests if r.service == service
                and (method is None or r.method == method)]


# GitLab tiers the emulator models: on "premium" scoped labels are exclusive. Modules whose
# flows depend on escalation:: labels run on both: pytestmark = parametrize("tier", TIERS).
TIERS = ("free", "premium")


@pytest.fixture
def tier() -> str:
    """The GitLab tier of the emulator (Free unless a test parametrizes it)."""
    return "free"


@pytest.fixture
def harness(tmp_path: Path, tier: str) -> Iterator[Harness]:
    """A fresh emulator per test; afterwards every PagerDuty and GitLab request is spec-checked."""
    with Emulator.start(tier=tier) as emu:
        yield Harness(emu, tmp_path)
        validate_pagerduty_requests(emu)
        validate_gitlab_requests(emu)


def validate_pagerduty_requests(emu: Emulator) -> None:
    """Validate every request sent to PagerDuty against the official OpenAPI specs."""
    pd = [r for r in emu.requests if r.service in ("pd-rest", "pd-events")]
    if not pd:
        return
    if not spec_available():
        return  # test_pagerduty_spec.py reports the skip, with its reason, once
    spec = PagerDutySpec.load()
    for req in pd:
        api = "events" if req.service == "pd-events" else "rest"
        problems = spec.validate(api, req.method, req.path, list(req.query), dict(req.headers),
                                 req.body, closed_objects=True)
        assert problems == [], f"{req.method} {req.path} violates the PagerDuty spec: {problems}"


def validate_gitlab_requests(emu: Emulator) -> None:
    """Validate every GitLab request against GitLab's OpenAPI description.

    Endpoints the description lacks are allowed only when listed in
    gitlab_spec.UNDESCRIBED (reported by test_gitlab_spec.py); any other fails.
    """
    sent = [r for r in emu.requests if r.service == "gitlab"]
    if not sent or not gitlab_spec.spec_available():
        return  # test_gitlab_spec.py reports the skip, with its reason, once
    spec = gitlab_spec.GitLabSpec.load()
    for req in sent:
        template = spec.describes(req.method, req.path)
        if template is None and any(req.method == m and re.fullmatch(p, req.path)
                                    for m, p in gitlab_spec.UNDESCRIBED):
            continue
        problems = spec.validate(req.method, req.path, list(req.query), dict(req.headers),
                                 req.body)
        assert problems == [], f"{req.method} {req.path} violates the GitLab spec: {problems}"


@pytest.fixture(autouse=True)
def _no_inherited_ci_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test process's own CI variables must not leak into jobs."""
    for name in list(os.environ):
        if name.startswith(("CHAT_", "GITLAB_", "PAGERDUTY_", "CHATOPS_")):
            monkeypatch.delenv(name, raising=False)
