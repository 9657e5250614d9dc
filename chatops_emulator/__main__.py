"""Run the emulator until Ctrl-C: `python -m chatops_emulator [--latency SECONDS]`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from chatops_emulator import Emulator


def main(argv: list[str] | None = None) -> int:
    """Start the emulator, print its environment as KEY=value lines, serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m chatops_emulator")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds to sleep before answering each request")
    args = parser.parse_args(argv)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with Emulator.start(latency=args.latency) as emulator:
        for key, value in emulator.env().items():
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
