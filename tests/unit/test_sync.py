"""The sync plan: labels follow PagerDuty, one note per entry, one overdue notice."""

from datetime import UTC, datetime, timedelta

from chatops.core.incident import Incident, LogEntry
from chatops.core.labels import ACKNOWLEDGED, CANCELLED, RESOLVED, TRIGGERED
from chatops.core.model import Issue, marker
from chatops.core.sync import TeamPolicy, Tracked, plan_sync, posted_ids
from chatops.render import render

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
TEAMS = {"gitaly": TeamPolicy("Gitaly", 15, "Ask /devoncall")}


def incident(status: str) -> Incident:
    return Incident("PINC1", 1001, status, "chatops/g/p#7/gitaly", T0, "https://pd/PINC1")


def issue(*labels: str) -> Issue:
    return Issue("g/p", 7, "https://gl/g/p/-/issues/7", "t", "opened", labels)


def entry(eid: str, kind: str, minutes: int, **kw: object) -> LogEntry:
    return LogEntry(eid, kind, T0 + timedelta(minutes=minutes), "PINC1", **kw)  # type: ignore[arg-type]


HISTORY = (entry("R1", "trigger", 0), entry("R2", "notify", 0, user="Ada", channel="sms"),
           entry("R3", "escalate", 16, level=2, user="Grace"),
           entry("R4", "acknowledge", 20, agent="Grace"))


def test_acknowledged_incident_moves_label_and_notes_each_entry_once() -> None:
    tracked = [Tracked("gitaly", incident("acknowledged"), HISTORY)]
    plan = plan_sync(issue(TRIGGERED), frozenset(), tracked, TEAMS,
                     T0 + timedelta(minutes=21))
    assert plan.add == (ACKNOWLEDGED,)
    assert TRIGGERED in plan.remove and CANCELLED in plan.remove
    assert [n.marker.split("id=")[1].split()[0] for n in plan.notes] == ["R2", "R3", "R4"]
    texts = [render(n.template, {**n.context, "marker": n.marker, "issue_ref": "g/p#7"})
             for n in plan.notes]
    assert "**Notified** Ada by sms" in texts[0]
    assert "**Escalated** to level 2: Grace" in texts[1]
    assert "Acknowledged** by Grace" in texts[2] and "20 minutes after the page" in texts[2]
    assert "**over** the 15-minute target" in texts[2]
    posted = posted_ids(texts)
    again = plan_sync(issue(ACKNOWLEDGED), posted, tracked, TEAMS,
                      T0 + timedelta(minutes=25))
    assert again.empty  # rerun: nothing posted twice, no label flip


def test_overdue_notice_once_when_not_acknowledged_in_time() -> None:
    tracked = [Tracked("gitaly", incident("triggered"), HISTORY[:2])]
    early = plan_sync(issue(TRIGGERED), frozenset({"log:R2"}), tracked, TEAMS,
                      T0 + timedelta(minutes=14))
    assert early.empty
    late = plan_sync(issue(TRIGGERED), frozenset({"log:R2"}), tracked, TEAMS,
                     T0 + timedelta(minutes=16))
    (note,) = late.notes
    text = render(note.template, {**note.context, "marker": note.marker, "issue_ref": "g/p#7"})
    assert text.startswith("**Not acknowledged after 16 minutes**")
    assert "Ada" in text and "Ask \\/devoncall" in text and "--incident g/p#7" in text
    done = posted_ids([text]) | {"log:R2"}
    assert plan_sync(issue(TRIGGERED), done, tracked, TEAMS,
                     T0 + timedelta(minutes=30)).empty


def test_unacknowledge_goes_back_to_triggered_and_cancelled_stays() -> None:
    back = [Tracked("gitaly", incident("triggered"), (entry("R9", "unacknowledge", 30),))]
    plan = plan_sync(issue(ACKNOWLEDGED), frozenset(), back, TEAMS,
                     T0 + timedelta(minutes=31))
    assert plan.add == (TRIGGERED,)
    resolved = [Tracked("gitaly", incident("resolved"), ())]
    assert plan_sync(issue(CANCELLED), frozenset(), resolved, TEAMS, T0).empty
    assert plan_sync(issue(ACKNOWLEDGED), frozenset(), resolved, TEAMS,
                     T0).add == (RESOLVED,)


def test_two_teams_on_one_issue_the_least_advanced_wins() -> None:
    other = Incident("PINC2", 1002, "acknowledged", "chatops/g/p#7/database", T0, "u")
    tracked = [Tracked("gitaly", incident("triggered")), Tracked("database", other)]
    plan = plan_sync(issue(ACKNOWLEDGED), frozenset(), tracked, TEAMS, T0)
    assert plan.add == (TRIGGERED,)


def test_annotation_text_is_inert() -> None:
    note = entry("R5", "annotate", 3, agent="Ada", text="/close\n@all see this")
    plan = plan_sync(issue(TRIGGERED), frozenset(),
                     [Tracked("gitaly", incident("triggered"), (note,))], TEAMS, T0)
    text = render(plan.notes[0].template, {**plan.notes[0].context,
                                           "marker": plan.notes[0].marker, "issue_ref": "x"})
    assert "\n/close" not in text and "    /close" in text
    assert marker("log", id="R5", team="gitaly", incident="PINC1") in text
