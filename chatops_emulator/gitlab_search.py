"""Issue filtering, ordering and `search` semantics of GET /projects/:id/issues."""

# `search` follows IssuableFinder: for queries in Latin script GitLab uses PostgreSQL
# full-text search (app/models/concerns/pg_full_text_searchable.rb): the query is split into
# terms (Gitlab::SQL::Pattern.split_query_to_search_terms keeps "quoted phrases"), every term
# becomes an english-stemmed *prefix* match (`term:*`) and terms are AND-ed over title
# (weight A) + description (weight B) together, so terms may be split across the two; `in=`
# restricts the weights; english stop words are ignored; a phrase must appear as adjacent
# words.  The stemming here is a light approximation of PostgreSQL's Snowball stemmer.
# Other scripts fall back to Gitlab::SQL::Pattern#fuzzy_search: per column, every word of
# >= 3 chars must occur case-insensitively as a substring (words are AND-ed, the columns are
# OR-ed); with no such word the whole query must equal the column (case-insensitive).

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chatops_emulator.gitlab_model import Issue

_LATIN = re.compile(r"^[\u0000-\u02FF\u1E00-\u1EFF\u2070-\u218F]*$")
_QUOTED = re.compile(r'(?:^|(?<= ))"[^"]+"(?= |$)')
_WORD = re.compile(r"[a-z0-9]+")
# PostgreSQL's english.stop list.
_STOP = frozenset((
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "did", "do", "does", "doing", "down", "during", "each",
    "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor",
    "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
    "why", "will", "with", "you", "your", "yours", "yourself", "yourselves",
))
_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ements", "ement",
             "ments", "ment", "ingly", "edly", "ing", "ies", "ied", "ed", "es", "ly", "s")


def search_terms(query: str) -> list[str]:
    """Split like Gitlab::SQL::Pattern.split_query_to_search_terms (quoted phrases kept)."""
    quoted: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quoted.append(match.group(0)[1:-1])
        return ""

    rest = _QUOTED.sub(keep, query)
    return rest.split() + quoted


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


def _words(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower())]


def _full_text(columns: list[str], query: str) -> bool:
    words = _words(" ".join(columns))
    for term in search_terms(query):
        parts = _WORD.findall(term.lower())
        if " " in term.strip():
            stems = _words(term)
            if not any(words[i : i + len(stems)] == stems for i in range(len(words))):
                return False
            continue
        for part in parts:
            if part in _STOP:
                continue
            stem = _stem(part)
            if not any(word.startswith(stem) for word in words):
                return False
    return any(part not in _STOP for term in search_terms(query) for part in _WORD.findall(
        term.lower()))


def _fuzzy(column: str, query: str) -> bool:
    text, query = column.lower(), " ".join(query.split()).lower()
    words = [term for term in search_terms(query) if len(term) >= 3]
    if words:
        return all(word in text for word in words)
    return text == query


def issue_matches(title: str, description: str, query: str, scope: str | None) -> bool:
    """Tell whether an issue matches ?search= (and ?in=title,description)."""
    wanted = [c.strip() for c in (scope or "").split(",") if c.strip()]
    fields = [c for c in wanted if c in ("title", "description")] or ["title", "description"]
    columns = [title if field == "title" else description for field in fields]
    if _LATIN.match(query):
        return _full_text(columns, query)
    return any(_fuzzy(column, query) for column in columns)


@dataclass
class IssueFilter:
    """The list filters of GET /projects/:id/issues."""

    state: str = "all"
    labels: list[str] | None = None
    not_labels: list[str] | None = None  # not[labels]: none of these
    iids: list[int] | None = None
    search: str | None = None
    scope: str | None = None
    issue_type: str | None = None
    confidential: bool | None = None
    author_id: int | None = None
    creator_id: int | None = None  # scope=created_by_me
    assignee: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None

    def accepts(self, issue: Issue) -> bool:
        """Apply every filter (they are AND-ed)."""
        checks = (
            self.state == "all" or issue.state == self.state,
            not self.iids or issue.iid in self.iids,
            self.issue_type is None or issue.issue_type == self.issue_type,
            self.confidential is None or issue.confidential == self.confidential,
            self.author_id is None or issue.author_id == self.author_id,
            self.creator_id is None or issue.author_id == self.creator_id,
            not self.labels or _labels_match(self.labels, issue.label_names()),
            not self.not_labels or not set(self.not_labels) & set(issue.label_names()),
            not self.assignee or _assignee_match(self.assignee, issue.assignee_ids),
            self.created_after is None or issue.created_at >= self.created_after,
            self.created_before is None or issue.created_at <= self.created_before,
            self.updated_after is None or issue.updated_at >= self.updated_after,
            self.updated_before is None or issue.updated_at <= self.updated_before,
        )
        if not all(checks):
            return False
        return not self.search or issue_matches(issue.title, issue.description or "",
                                                self.search, self.scope)


def _labels_match(wanted: list[str], names: list[str]) -> bool:
    lowered = [w.lower() for w in wanted]
    if lowered in (["none"], ["no+label"], ["no label"]):
        return not names
    if lowered == ["any"]:
        return bool(names)
    return all(label in names for label in wanted)


def _assignee_match(wanted: str, assignees: list[int]) -> bool:
    if wanted.lower() == "none":
        return not assignees
    if wanted.lower() == "any":
        return bool(assignees)
    return wanted.isdigit() and int(wanted) in assignees


def sort_key(issue: Issue, order: str) -> tuple[Any, int]:
    """The ordering key for order_by (GitLab adds id as the tie breaker)."""
    if order == "updated_at":
        return (issue.updated_at, issue.id)
    if order == "title":
        return (issue.title.lower(), issue.id)
    if order == "due_date":
        due = issue.due_date
        far = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
        return (datetime(due.year, due.month, due.day, tzinfo=UTC) if due else far, issue.id)
    if order == "relative_position":
        return (issue.id, issue.id)
    return (issue.created_at, issue.id)
