"""README command 1: `chatops demo` tells the whole story without credentials."""

import os
import subprocess

from tests.e2e.conftest import chatops_command


def test_demo_pages_escalates_acknowledges_and_resolves() -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITLAB_", "PAGERDUTY_", "CHAT_", "CHATOPS_"))}
    out = subprocess.run([*chatops_command(), "demo"], capture_output=True, text=True,
                         timeout=300, check=True, env=env).stdout
    assert "PAGED Gitaly (S2): Ada Lovelace (on call) was notified" in out
    assert "**Escalated** to level 2: Grace Hopper" in out
    assert "Gitaly: ACKNOWLEDGED by Grace Hopper" in out
    assert "RESOLVED in PagerDuty: Gitaly" in out
    assert "Labels: escalation::resolved, group::gitaly" in out
    assert "Incident #1001 [resolved]" in out
