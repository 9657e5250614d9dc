"""The webhook job's input: TRIGGER_PAYLOAD names a file or holds the body itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatops.core.webhook import MAX_PAYLOAD_BYTES
from chatops.errors import InputError
from chatops.webhook import incident_from_payload, read_payload

BODY = json.dumps({"event": {"event_type": "incident.acknowledged",
                             "data": {"type": "incident", "id": "PABC123"}}})


def test_a_file_is_read_and_its_incident_named(tmp_path: Path) -> None:
    """GitLab passes a trigger's variable file as a path: its content is the body."""
    path = tmp_path / "payload"
    path.write_text(BODY, encoding="utf-8")
    assert read_payload(str(path)) == BODY.encode()
    assert incident_from_payload(str(path)) == "PABC123"


def test_text_that_is_no_file_is_the_body_itself() -> None:
    """TRIGGER_PAYLOAD may hold the body inline."""
    assert incident_from_payload(BODY) == "PABC123"


def test_a_file_too_large_is_refused_by_its_size(tmp_path: Path) -> None:
    """A file over the limit is refused before it is read (a sparse file costs no disk)."""
    path = tmp_path / "huge"
    with path.open("wb") as handle:
        handle.truncate(MAX_PAYLOAD_BYTES + 1)
    with pytest.raises(InputError, match=f"{MAX_PAYLOAD_BYTES + 1} bytes"):
        read_payload(str(path))


@pytest.mark.parametrize("source", [None, ""])
def test_no_payload_says_where_it_comes_from(source: str | None) -> None:
    """Without TRIGGER_PAYLOAD the job says which trigger should run it."""
    with pytest.raises(InputError, match="TRIGGER_PAYLOAD is not set"):
        read_payload(source)
