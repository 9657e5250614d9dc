"""The webhook job's input: the payload TRIGGER_PAYLOAD names (a file or text), its incident id."""

from __future__ import annotations

from pathlib import Path

from chatops.core import webhook as payloads
from chatops.errors import InputError


def read_payload(source: str | None) -> bytes:
    """The webhook body: the file TRIGGER_PAYLOAD names (or the text itself), size-checked first."""
    if not source:
        raise InputError("No webhook payload: TRIGGER_PAYLOAD is not set.",
                         "Run this job from the PagerDuty webhook's pipeline trigger.")
    path = Path(source)
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # too long, or not a file name at all: the payload itself
        is_file = False
    if not is_file:
        return source.encode("utf-8", "surrogateescape")
    try:
        if (size := path.stat().st_size) > payloads.MAX_PAYLOAD_BYTES:
            raise payloads.too_large(size)
        with path.open("rb") as handle:  # a size of 0 may still hide content (/proc)
            return handle.read(payloads.MAX_PAYLOAD_BYTES + 1)
    except OSError as exc:
        raise InputError(f"The webhook payload file cannot be read ({exc.strerror}); "
                         "nothing changed.", "Check the job's TRIGGER_PAYLOAD file.") from None


def incident_from_payload(source: str | None) -> str:
    """The incident id a webhook names; the payload is only a hint, never the truth."""
    return payloads.incident_id(read_payload(source))
