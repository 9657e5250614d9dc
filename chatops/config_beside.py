"""Validate the configuration in a second process, on another CPU, while the page starts.

Importing pydantic and building the schema costs about 0.1 s of CPU; the first
requests of a page need only a few raw values (page/lookahead.py). So `chatops page`
starts `python -P -m chatops.config_beside FILE` at once: it validates and hands back
the plain `Config` (pickled, through its stdout) while this process imports
python-gitlab and sends the first reads. Nothing is written before the validated
configuration is in hand. When the side process cannot run or fails in any way,
the file is validated here, so the answer (and every error message) is the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import chatops
from chatops.config import Config, load_config

# About 0.2 s on an idle machine; past this the page validates in-process instead (a
# hung side process is killed) rather than spend its look-up budget waiting.
WAIT_SECONDS = 3.0
# What the side process inherits: no token or routing key, it needs none.
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONTZPATH", "PYTHONHOME",
         "SYSTEMROOT")
_HOME = str(Path(chatops.__file__).resolve().parent)  # this process's chatops


class PendingConfig:
    """A configuration being validated beside this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The same chatops as this process (a checkout's or the installed one), found first.
        env = {name: os.environ[name] for name in _KEPT if name in os.environ}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(_HOME).parent), *filter(None, [os.environ.get("PYTHONPATH")])])
        self._side: subprocess.Popen[bytes] | None = None
        if sys.executable:  # an embedded interpreter may have none: validate here
            try:
                self._side = subprocess.Popen(
                    [sys.executable, "-P", "-m", "chatops.config_beside", str(path)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, env=env)
            except (OSError, ValueError):  # no interpreter to start: validate here
                self._side = None

    def result(self) -> Config:
        """The validated configuration; a ConfigError names every problem."""
        side, self._side = self._side, None
        if side is not None:
            try:
                out, _ = side.communicate(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                side.kill()
                side.communicate()
            else:
                answer = _unpickled(out) if side.returncode == 0 else None
                # Only an answer of this very chatops: another copy may validate otherwise.
                if (isinstance(answer, tuple) and len(answer) == 2 and answer[0] == _HOME
                        and isinstance(answer[1], Config)):
                    return answer[1]
        return load_config(self.path)  # invalid, or the side process failed: the same answer


def _unpickled(out: bytes) -> object:
    """The side process's answer; None when it is not one (say, a library printed)."""
    import pickle

    try:
        return pickle.loads(out)  # noqa: S301 - our own child, through a private pipe
    except Exception:
        return None


def main(argv: list[str]) -> int:
    """Side process: validate the file; its pickled Config on stdout, or exit 1."""
    try:
        config = load_config(Path(argv[1]))
    except Exception:
        return 1
    import pickle

    sys.stdout.buffer.write(pickle.dumps((_HOME, config)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
