"""The page's writes once the flow decided: the issue, its labels and notes, the records."""

from __future__ import annotations

from chatops import records
from chatops.audit import AuditLog
from chatops.core import compose, markers
from chatops.core.labels import RECORD
from chatops.core.page_steps import (
    AddNote,
    Event,
    IssueFailed,
    IssueOpened,
    LinkIssue,
    OpenIssue,
    Recorded,
    RecordRefusal,
    SetLabels,
)
from chatops.core.ports import IssueTracker, Pager
from chatops.core.report import Mark
from chatops.errors import ChatopsError, ConfigError, GitLabError, ServiceError
from chatops.page.plan import PagePlan

PLAIN_ISSUE = ("GitLab opened a plain issue, not an incident: the token's user needs at least "
               "the Reporter role on the incident project to create incidents")


class PageWrites:
    """Executes the write actions of a PagePlan's flow through the IssueTracker and Pager ports."""

    def __init__(self, plan: PagePlan, tracker: IssueTracker, pager: Pager, routing_key: str,
                 audit: AuditLog, from_email: str = "") -> None:
        self.plan, self.tracker, self.pager = plan, tracker, pager
        self.routing_key, self.audit = routing_key, audit
        self.from_email = from_email  # the PagerDuty user a note on the incident is from
        self.request, self.team = plan.request, plan.team

    def open_issue(self, _: OpenIssue) -> Event:
        """Create the incident issue."""
        project = self.plan.config.incident_project
        token = markers.request_marker_prefix(self.plan.key)
        try:
            issue = self.tracker.open_issue(project, self.plan.title(), self.plan.description(),
                                            list(self.plan.flow.team_labels), token)
        except ChatopsError as exc:
            self.audit.record("open-issue", project, "error", str(exc))
            return IssueFailed(gitlab_problem(self.plan, exc), transient=transient(exc))
        if issue.issue_type == "issue":
            # GitLab ignores issue_type=incident without the right to create incidents
            # (Reporter role) and opens a plain issue instead (gitlabhq
            # app/services/issues/build_service.rb; app/policies/project_policy.rb).
            self.audit.record("open-issue", issue.web_url, "plain-issue", PLAIN_ISSUE)
        else:
            self.audit.record("open-issue", issue.web_url, "ok")
        return IssueOpened(issue)

    def link_issue(self, _: LinkIssue) -> Event:
        """Note on the PagerDuty incident where the issue opened after the page is.

        The trigger's links cannot be changed once it is sent, and a second trigger
        with the same dedup_key only joins the open alert; an incident note (REST
        POST /incidents/{id}/notes, "Create a new note for the specified incident",
        which requires the From header of a PagerDuty user: REST OpenAPI spec) is the
        documented way to add the link to the incident's timeline.
        """
        incident, issue = self.plan.flow.incident, self.plan.flow.issue
        assert incident is not None and issue is not None
        target = f"pagerduty:incident={incident.id}"
        if not self.from_email:
            problem = ("a note needs a PagerDuty user: set PAGERDUTY_FROM_EMAIL to a "
                       "PagerDuty user's email")
            self.audit.record("link-issue", target, "skipped", problem)
            return Recorded("pagerduty link", problem)
        text = (f"Incident issue (opened or linked after the page, GitLab was failing): "
                f"{issue.web_url}")
        try:
            self.pager.note(incident.id, self.from_email, text)
        except ChatopsError as exc:
            self.audit.record("link-issue", target, "error", str(exc))
            return Recorded("pagerduty link", str(exc))
        self.audit.record("link-issue", target, "ok", issue.web_url)
        return Recorded("pagerduty link")

    def record_refusal(self, action: RecordRefusal) -> Event:
        """Leave the refusal on the team's PagerDuty service as a change event."""
        plan = self.plan
        record = compose.refusal(plan.flow, self.request.team, self.team, plan.who,
                                 plan.clock(), action.reason)
        self._keep_record("refused", action.reason, plan.who.job_url)
        try:
            self.pager.record_change(self.routing_key, record)
        except ChatopsError as exc:
            self.audit.record("record-refusal", f"pagerduty:{self.request.team}", "error",
                              str(exc))
            return Recorded("refusal", str(exc))
        self.audit.record("record-refusal", f"pagerduty:{self.request.team}", "ok",
                          action.reason)
        return Recorded("refusal")

    def _keep_record(self, kind: str, reason: str, link: str) -> None:
        """Note a request that did not page at once in GitLab's durable record (reports)."""
        mark = Mark(self.request.team, kind, self.plan.clock(), link, self.plan.who.login,
                    reason, drill=self.request.drill)
        try:
            where = records.keep(self.tracker, self.plan.config.incident_project, mark)
        except ChatopsError as exc:
            self.audit.record("keep-record", f"gitlab:{RECORD}", "error", str(exc))
            return
        self.audit.record("keep-record", where, "ok", kind)

    def set_labels(self, action: SetLabels) -> Event:
        """Label the issue."""
        assert self.plan.flow.issue is not None
        issue = self.plan.flow.issue
        try:
            self.tracker.set_labels(issue.ref, list(action.add), list(action.remove))
        except ChatopsError as exc:
            self.audit.record("label-issue", issue.web_url, "error", str(exc))
            return Recorded("labels", str(exc))
        self.audit.record("label-issue", issue.web_url, "ok", "+" + ",+".join(action.add))
        return Recorded("labels")

    def add_note(self, action: AddNote) -> Event:
        """Comment on the issue."""
        flow = self.plan.flow
        assert flow.issue is not None
        issue, now = flow.issue, self.plan.clock()
        kind = {"paged": "paged", "queued": "queued"}.get(action.template, "failed")
        if kind != "paged":
            self._keep_record(kind, "", issue.web_url)
        extra = ({"severity": str(self.request.severity), "drill": str(int(self.request.drill)),
                  "by": self.plan.who.login or "-"} if kind == "queued" else {})
        if kind == "paged" and flow.incident is not None:
            # Followed by id from now on (a grouped incident has no incident_key).
            extra = {"incident": flow.incident.id, "number": str(flow.incident.number)}
        marker = markers.page_marker(kind, self.request.team, flow.dedup_key, now,
                                     self.plan.who.job_url, **extra)
        try:
            body = self.plan.render(f"note_{action.template}.md.j2", marker=marker)
            self.tracker.add_note(issue.ref, body, marker)
        except ChatopsError as exc:
            self.audit.record("comment-issue", issue.web_url, "error", str(exc))
            return Recorded("note", str(exc))
        self.audit.record("comment-issue", issue.web_url, "ok", action.template)
        return Recorded("note")


def gitlab_problem(plan: PagePlan, exc: ChatopsError) -> str:
    """The problem text; remembers when GitLab refused our token (fix it, not wait)."""
    if isinstance(exc, ConfigError) or (isinstance(exc, GitLabError) and exc.denied):
        plan.gitlab_denied = True
    return str(exc)


def transient(exc: ChatopsError) -> bool:
    """May the same call work a little later (timeout, 5xx, 429)?"""
    return isinstance(exc, ServiceError) and exc.retryable
