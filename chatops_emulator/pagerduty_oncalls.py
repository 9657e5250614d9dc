"""PagerDuty on-calls: GET /oncalls filters, order, `earliest` and `include[]` expansion."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from chatops_emulator.core import pd_time, utcnow
from chatops_emulator.pagerduty_model import OnCall
from chatops_emulator.pagerduty_query import Query, bad
from chatops_emulator.pagerduty_state import PagerDutyState


def list_oncalls(state: PagerDutyState, query: Query, zone: tzinfo | None
                 ) -> list[dict[str, Any]]:
    """GET /oncalls: the on-call entries matching the filters, in PagerDuty's order."""
    now = utcnow()
    since, until = query.time("since", now), query.time("until", now)
    if until < since:
        raise bad("The until parameter must be after since.")
    include = set(query.arrays.get("include", []))
    wanted = {k: set(query.arrays[k]) for k in ("escalation_policy_ids", "user_ids",
                                                "schedule_ids") if k in query.arrays}
    with state.lock:
        order = list(state.policies)
        found = [o for o in state.oncall_entries if o.active(since, until)
                 and o.policy_id in wanted.get("escalation_policy_ids", {o.policy_id})
                 and o.user_id in wanted.get("user_ids", {o.user_id})
                 and (o.schedule_id or "null") in wanted.get("schedule_ids",
                                                             {o.schedule_id or "null"})]
        found.sort(key=lambda o: (order.index(o.policy_id) if o.policy_id in order
                                  else len(order), o.level, o.start or datetime.min.replace(
                                      tzinfo=now.tzinfo), o.user_id))
        if query.flag("earliest"):
            firsts: dict[tuple[str, int, str], OnCall] = {}
            for item in found:
                firsts.setdefault((item.policy_id, item.level, item.user_id), item)
            found = list(firsts.values())
        return [_oncall_json(state, o, include, zone) for o in found]


def _oncall_json(state: PagerDutyState, item: OnCall, include: set[str], zone: tzinfo | None
                 ) -> dict[str, Any]:
    """One on-call in API form, with users/policies/schedules expanded when included."""
    user = state.user_full(item.user_id) if "users" in include else state.user_ref(
        item.user_id)
    policy = state.policy_ref(item.policy_id)
    if "escalation_policies" in include:
        policy = {**policy, "type": "escalation_policy", "name": policy["summary"],
                  "escalation_rules": [], "services": [], "num_loops": 0, "teams": []}
    schedule = None
    if item.schedule_id:
        schedule = state.schedule_ref(item.schedule_id)
        if "schedules" in include:
            schedule = {**schedule, "type": "schedule", "name": schedule["summary"],
                        "time_zone": "Etc/UTC", "description": None}
    return {"escalation_policy": policy, "escalation_level": item.level, "user": user,
            "schedule": schedule, "start": pd_time(item.start, zone),
            "end": pd_time(item.end, zone)}
