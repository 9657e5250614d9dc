"""GET /incidents: since/until/date_range/time_zone windows on created_at, with statuses[]."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pagerduty
import pytest
import requests

from chatops_emulator import Emulator

NOW = datetime.now(UTC).replace(microsecond=0)
AGES = {"d100": 100, "d40": 40, "d10": 10, "h1": 1 / 24}
Z = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture
def ids(emu: Emulator) -> dict[str, str]:
    """Incidents created 100 days, 40 days, 10 days and 1 hour ago; d40 and h1 resolved."""
    made = {name: emu.pagerduty.trigger("PSVCGIT", name, dedup_key=f"chatops-{name}",
                                        at=NOW - timedelta(days=days))["id"]
            for name, days in AGES.items()}
    for name in ("d40", "h1"):
        emu.pagerduty.resolve(made[name], "PUSRADA")
    return made


def _titles(emu: Emulator, params: Any) -> list[str]:
    response = _get(emu, params)
    assert response.status_code == 200, response.text
    return [i["title"] for i in response.json()["incidents"]]


def _get(emu: Emulator, params: Any) -> requests.Response:
    return requests.get(f"{emu.pagerduty_api_url}/incidents", params=params, verify=emu.ca_file,
                        headers={"Authorization":
                                 f"Token token={emu.env()['PAGERDUTY_API_TOKEN']}"},
                        timeout=10)


def _ago(days: float) -> str:
    return (NOW - timedelta(days=days)).strftime(Z)


def test_default_window_is_the_last_month(emu: Emulator, ids: dict[str, str]) -> None:
    assert _titles(emu, {}) == ["d10", "h1"]


def test_one_bound_gives_a_month_from_since_or_up_to_until(emu: Emulator,
                                                           ids: dict[str, str]) -> None:
    assert _titles(emu, {"since": _ago(45)}) == ["d40"]  # until = since + 1 month
    assert _titles(emu, {"until": _ago(35)}) == ["d40"]  # since = until - 1 month
    assert _titles(emu, {"since": _ago(15)}) == ["d10", "h1"]


def test_since_until_and_statuses_intersect(emu: Emulator, pd_rest: pagerduty.RestApiV2Client,
                                            ids: dict[str, str]) -> None:
    window = {"since": _ago(120), "until": NOW.strftime(Z)}
    assert _titles(emu, window) == ["d100", "d40", "d10", "h1"]
    assert _titles(emu, {**window, "statuses[]": "resolved"}) == ["d40", "h1"]
    assert _titles(emu, {"since": _ago(50), "until": _ago(5),
                         "statuses[]": ["triggered", "acknowledged"]}) == ["d10"]
    listed = pd_rest.list_all("incidents", params={"since": _ago(50), "until": _ago(5),
                                                   "statuses": ["resolved"]})
    assert [i["id"] for i in listed] == [ids["d40"]]


def test_date_range_all_ignores_since_and_until(emu: Emulator, ids: dict[str, str]) -> None:
    params = {"date_range": "all", "since": _ago(5), "until": _ago(4),
              "statuses[]": "triggered"}
    assert _titles(emu, params) == ["d100", "d10"]
    assert _titles(emu, {"date_range": "all"}) == ["d100", "d40", "d10", "h1"]


def test_ranges_over_six_months_or_inverted_are_refused(emu: Emulator,
                                                        ids: dict[str, str]) -> None:
    too_long = _get(emu, {"since": _ago(200), "until": NOW.strftime(Z)})
    assert too_long.status_code == 400
    assert too_long.json()["error"] == {"message": "Invalid Input Provided", "code": 2001,
                                        "errors": [" is invalid."]}
    inverted = _get(emu, {"since": _ago(1), "until": _ago(2)})
    assert inverted.status_code == 400 and inverted.json()["error"]["code"] == 2005
    assert _titles(emu, {"since": _ago(179), "until": NOW.strftime(Z)}) == [
        "d100", "d40", "d10", "h1"]


def test_naive_bounds_are_wall_clock_in_time_zone(emu: Emulator, ids: dict[str, str]) -> None:
    created = NOW - timedelta(days=10)
    york = ZoneInfo("America/New_York")
    # One hour after the incident, New York wall-clock time, without an offset.
    naive = (created + timedelta(hours=1)).astimezone(york).replace(tzinfo=None).isoformat()
    until = NOW.strftime(Z)
    assert _titles(emu, {"since": naive, "until": until, "time_zone": "America/New_York"}) == [
        "h1"]
    # Read as UTC (the account's zone) the same text is 4-5 hours earlier: d10 is inside.
    assert _titles(emu, {"since": naive, "until": until}) == ["d10", "h1"]
