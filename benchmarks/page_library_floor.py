"""The floor of the paging path with the chosen client libraries: python-gitlab and `pagerduty`.

Not a product: a yardstick beside `page_floor.py` (bare stdlib). It does the same
contract (who is on call and does this request already have an issue, at once; open
the issue; trigger the page) and nothing else, with one client per service (one
connection pool each), each request sent as soon as its library is loaded. The gap
between this and `page_floor.py` is what the two libraries cost; the gap between
`chatops page` and this is what chatops itself costs.

    python benchmarks/page_library_floor.py   (environment as for `chatops page`)
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any

PROJECT = "gitlab-com/gl-infra/production"


def main() -> None:
    """On-call check and issue look-up together, then create the issue, then trigger."""
    env = os.environ
    message = env.get("CHAT_INPUT", "gitaly floor").partition(" ")[2]
    found: list[Any] = []

    import pagerduty  # the lighter library first: its request leaves sooner

    context = ssl.create_default_context(cafile=env["SSL_CERT_FILE"])  # the emulator's CA only
    rest = pagerduty.RestApiV2Client(env["PAGERDUTY_API_TOKEN"],
                                     base_url=env["PAGERDUTY_API_URL"], verify=context)
    reader = threading.Thread(target=lambda: found.append(rest.get(
        "/oncalls", params={"escalation_policy_ids[]": "PGITALY1"})))
    reader.start()

    import gitlab

    gl = gitlab.Gitlab(env["GITLAB_URL"], private_token=env["GITLAB_TOKEN"],
                       ssl_verify=env["SSL_CERT_FILE"])
    issues = gl.projects.get(PROJECT, lazy=True).issues
    issues.list(state="opened", per_page=100, get_all=False)
    reader.join()
    issue = issues.create({"title": f"Gitaly: {message}", "description": message,
                           "issue_type": "incident"})
    events = pagerduty.EventsApiV2Client(env["PAGERDUTY_ROUTING_KEY_GITALY"],
                                         base_url=env["PAGERDUTY_EVENTS_URL"], verify=context)
    events.trigger(message[:1024], "chatops", dedup_key=f"library-floor-{issue.iid}")


if __name__ == "__main__":
    main()
