"""README's emulator walkthrough, run exactly as written: every command it shows works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = "### Try every command against the emulator"


def walkthrough() -> str:
    """The first sh block after the walkthrough heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(HEADING):]
    match = re.search(r"^```sh\n(.*?)^```", after, re.S | re.M)
    assert match, "README has no walkthrough block"
    return match.group(1)


def test_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))  # README: run after command 1
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CI_", "CHAT", "GITLAB_", "PAGERDUTY_", "SSL_", "REQUESTS_"))}
    proc = subprocess.run(["bash", "-c", walkthrough()], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=240, check=False)
    out = proc.stdout
    assert "Traceback" not in out + proc.stderr, proc.stderr
    outcomes = [ln.split()[1] for ln in out.splitlines() if ln.startswith("RESULT ")]
    paging = [o for o in outcomes if o in ("outcome=paged", "outcome=nobody-on-call")]
    assert paging == ["outcome=paged", "outcome=nobody-on-call", "outcome=paged"], out
    assert not [o for o in outcomes if o in ("outcome=crashed", "outcome=refused")], out
    assert "notes_added=4 labels_changed=2 problems=0" in out  # sync
    assert "- Gitaly: L1 Ada Lovelace until" in out
    assert "PAGED Gitaly (S2): Ada Lovelace (on call) was notified" in out
    assert "NOT PAGED: nobody from Database is on call" in out
    assert "DRILL started" in out
    assert "Gitaly: ACKNOWLEDGED by Ada Lovelace" in out
    assert "ACKNOWLEDGED (drill)" in out
    both = out + proc.stderr  # the report may print its cost apart from the report
    assert "## ChatOps pilot report: last 1d" in both and "Top requesters: sre" in both
    assert "RESOLVED in PagerDuty: Gitaly" in out
    assert "GAP Database: nobody on call at level 1" in out
    assert list(tmp_path.iterdir()) == [tmp_path / ".venv"]  # nothing left behind
