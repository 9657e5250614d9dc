"""Timestamps as the vendors' APIs read and write them: ISO 8601 with a zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time with a zone ('Z', '+00:00' or '+0000'); ValueError otherwise."""
    text = str(value).replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return moment


def utc_text(moment: datetime) -> str:
    """A time as a UTC query parameter, to the second: 2024-05-01T09:30:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
