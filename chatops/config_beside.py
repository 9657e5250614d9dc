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

import subprocess
import sys
from pathlib import Path

from chatops.config import Config, load_config

WAIT_SECONDS = 20.0  # far above the 0.2 s it takes; a hung side process is killed


class PendingConfig:
    """A configuration being validated beside this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._side: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-P", "-m", "chatops.config_beside", str(path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:  # no interpreter to start: validate here when asked
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
                config = _unpickled(out) if side.returncode == 0 else None
                if isinstance(config, Config):
                    return config
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

    sys.stdout.buffer.write(pickle.dumps(config))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
