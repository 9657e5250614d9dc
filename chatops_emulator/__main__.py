"""Run the emulator until stopped: `python -m chatops_emulator [--latency S] [--write-config F]`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from chatops_emulator import Emulator, seed

# A chatops.toml for the seeded teams, covered every hour of every day, so that a
# walkthrough pages whenever it is run (README, "Try every command against the emulator").
CONFIG = f'''# chatops.toml for the local emulator (written by python -m chatops_emulator).
incident_project = "{seed.INCIDENT_PROJECT}"

[teams.gitaly]
display_name = "Gitaly"
routing_key_env = "PAGERDUTY_ROUTING_KEY_GITALY"
escalation_policy_id = "PGITALY1"
labels = ["group::gitaly"]
ack_timeout_minutes = 15
fallback = "No Gitaly expert is on call: ask the Developer Oncall via /devoncall <incident>"

[teams.gitaly.coverage]
timezone = "UTC"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

[teams.database]
display_name = "Database"
routing_key_env = "PAGERDUTY_ROUTING_KEY_DATABASE"
escalation_policy_id = "PDBASE01"
labels = ["group::database"]
fallback = "No Database expert is on call: ask the Developer Oncall via /devoncall <incident>"

[teams.database.coverage]
timezone = "UTC"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
'''


def main(argv: list[str] | None = None) -> int:
    """Start the emulator, print its environment as KEY=value lines, serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m chatops_emulator")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds to sleep before answering each request")
    parser.add_argument("--write-config", type=Path, metavar="FILE",
                        help="write a chatops.toml for the emulator's teams to FILE and print "
                             "CHATOPS_CONFIG=FILE with the other variables")
    args = parser.parse_args(argv)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with Emulator.start(latency=args.latency) as emulator:
        env = emulator.env()
        if args.write_config is not None:
            args.write_config.write_text(CONFIG, encoding="utf-8")
            env["CHATOPS_CONFIG"] = str(args.write_config.resolve())
        for key, value in env.items():
            print(f"{key}={value}")
        sys.stdout.flush()
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
