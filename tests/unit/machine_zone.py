"""Run a block with the machine's local time zone set (a CI runner need not be on UTC)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def machine_zone(name: str) -> Iterator[None]:
    """Set TZ (and tzset) for the block, then restore the previous zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
