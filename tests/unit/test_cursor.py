"""Sync's durable cursor: what it reads, what it keeps, and that it survives a round trip."""

from datetime import UTC, datetime, timedelta

from chatops.core.cursor import OVERLAP, SERVICES_FOR, SyncState, parse_state, render_state

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=60)


def test_first_run_reads_the_window_later_runs_the_overlap_before_the_cursor() -> None:
    assert SyncState().read_since(T0, WINDOW) == T0 - WINDOW
    state = SyncState(cursor=T0 - timedelta(minutes=5))
    assert state.read_since(T0, WINDOW) == T0 - timedelta(minutes=5) - OVERLAP


def test_advancing_keeps_only_the_applied_entries_of_the_overlap() -> None:
    # The next read starts at the overlap, rounded down to a whole second: keep 1 s more.
    edge = T0 - OVERLAP - timedelta(seconds=1)
    state = SyncState(cursor=T0 - timedelta(minutes=5),
                      applied={"OLD": edge - timedelta(microseconds=1), "EDGE": edge})
    after = state.advanced(T0, {"NEW": T0 - timedelta(seconds=1)}, {}, set())
    assert after.cursor == T0
    assert after.applied == {"EDGE": edge, "NEW": T0 - timedelta(seconds=1)}


def test_failures_are_kept_with_their_first_time_and_dropped_once_fixed() -> None:
    first = T0 - timedelta(hours=2)
    state = SyncState(cursor=T0, retry={"QA": first, "QB": first})
    after = state.advanced(T0 + timedelta(minutes=5), {}, {"QA": T0, "QC": T0}, {"QB"})
    assert after.retry == {"QA": first, "QC": T0}


def test_state_survives_a_round_trip_through_the_issue_text() -> None:
    state = SyncState(cursor=T0, applied={"R1": T0 - timedelta(minutes=1)},
                      retry={"Q1": T0 - timedelta(hours=1)},
                      services={"gitaly": ("PSVC1", "PSVC2"), "empty": ()}, services_at=T0)
    text = render_state(state)
    assert parse_state(text) == state
    assert "Do not edit" in text


def test_unreadable_or_foreign_text_starts_over() -> None:
    assert parse_state("") == SyncState()
    assert parse_state("<!-- chatops:v1 sync_state cursor=yesterday -->").cursor is None
    # A marker that does not start its line (quoted text) never counts.
    quoted = "    <!-- chatops:v1 sync_state cursor=2026-11-30T12:00:00Z -->"
    assert parse_state(quoted).cursor is None


def test_services_are_read_again_when_stale_or_when_the_teams_change() -> None:
    state = SyncState(services={"gitaly": ("PSVC1",)}, services_at=T0)
    assert not state.services_stale({"gitaly"}, T0 + SERVICES_FOR - timedelta(seconds=1))
    assert state.services_stale({"gitaly"}, T0 + SERVICES_FOR)
    assert state.services_stale({"gitaly", "database"}, T0)
    assert SyncState().services_stale(set(), T0)


def test_a_stamp_without_zone_is_dropped_a_zoned_one_read() -> None:
    naive = "<!-- chatops:v1 sync_state cursor=2026-11-30T12:00:00 -->"
    assert parse_state(naive).cursor is None
    zoned = "<!-- chatops:v1 sync_state cursor=2026-11-30T13:00:00+0100 -->"
    assert parse_state(zoned).cursor == T0
    applied = "<!-- chatops:v1 sync_applied id=R1 at=2026-11-30T12:00:00 -->"
    assert parse_state(applied).applied == {}
