"""The floor of the paging path: the same contract as `chatops page`, in bare stdlib.

Not a product: a yardstick. It does what a page must do before the trigger and
nothing else (no configuration file, no templates, no retries, no audit):
who is on call and does this request already have an issue, at once; open the
issue; trigger the page. `page_latency.py` runs it beside the real CLI against
the same emulator, so the ratio of the two times to trigger is the measure.

    python benchmarks/page_floor.py   (environment as for `chatops page`)
"""

from __future__ import annotations

import json
import os
import ssl
import threading
import urllib.parse
import urllib.request
from typing import Any

PROJECT = "gitlab-com/gl-infra/production"


def _call(context: ssl.SSLContext, method: str, url: str, headers: dict[str, str],
          body: dict[str, Any] | None = None) -> Any:
    """One HTTPS request; the decoded JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,  # noqa: S310
                                     headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read() or b"null")


def main() -> None:
    """On-call check and issue look-up together, then create the issue, then trigger."""
    env = os.environ
    context = ssl.create_default_context(cafile=env["SSL_CERT_FILE"])
    message = env.get("CHAT_INPUT", "gitaly floor").partition(" ")[2]
    gitlab = {"PRIVATE-TOKEN": env["GITLAB_TOKEN"]}
    issues = (f"{env['GITLAB_URL']}/api/v4/projects/{urllib.parse.quote(PROJECT, safe='')}"
              "/issues")
    found: list[Any] = []

    def oncall() -> None:
        found.append(_call(context, "GET", f"{env['PAGERDUTY_API_URL']}/oncalls?"
                           "escalation_policy_ids%5B%5D=PGITALY1",
                           {"Authorization": f"Token token={env['PAGERDUTY_API_TOKEN']}",
                            "Accept": "application/vnd.pagerduty+json;version=2"}))

    reader = threading.Thread(target=oncall)
    reader.start()
    _call(context, "GET", f"{issues}?state=opened&per_page=100", gitlab)
    reader.join()
    issue = _call(context, "POST", issues, gitlab,
                  {"title": f"Gitaly: {message}", "description": message,
                   "issue_type": "incident"})
    _call(context, "POST", f"{env['PAGERDUTY_EVENTS_URL']}/v2/enqueue", {},
          {"routing_key": env["PAGERDUTY_ROUTING_KEY_GITALY"], "event_action": "trigger",
           "dedup_key": f"floor-{issue['iid']}",
           "payload": {"summary": message[:1024], "source": "chatops", "severity": "error"}})


if __name__ == "__main__":
    main()
