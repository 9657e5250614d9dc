"""Parse a page request from CLI arguments or the raw ChatOps CHAT_INPUT."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from chatops.core.refs import IssueRef, parse_ref
from chatops.errors import InputError

MAX_MESSAGE_CHARS = 4000
# A drill needs no message (README, "Drills": `/chatops run drill gitaly [message]`).
DRILL_MESSAGE = "Practice page: please acknowledge in PagerDuty."
DEFAULT_SEVERITY = 2
_KNOWN = (r"(?:--incident(?:=|\s+)(?P<ref>\S+)|--severity(?:=|\s+)(?P<sev>\S+)"
          r"|(?P<dry>--dry-run)|(?P<drill>--drill)|(?P<queue>--when-covered))")
# Options are recognised whatever their case: `--DRY-RUN` must never page for real.
_LEADING = re.compile(rf"^{_KNOWN}(?:\s+|$)", re.I)
_TRAILING = re.compile(rf"(?:^|\s){_KNOWN}\s*$", re.I)
OPTION_NAMES = ("incident", "severity", "dry-run", "drill", "when-covered")
# Slack's autocorrect turns "--" into an em or en dash.
_NAMES = r"(?:incident|severity|dry-run|drill|when-covered)"
_DASHES = re.compile(rf"(?<!\S)(?:[—–]|-[—–]|[—–]-)(?={_NAMES}\b)", re.I)
# Anything written like an option: --word, or its autocorrected —word / –word.
_OPTION_LIKE = re.compile(r"(?<!\S)(?:--|[—–]-?|-[—–])(?P<name>[A-Za-z][A-Za-z0-9_-]*)")
# Bytes that are not UTF-8 reach Python (os.environ, argv) as lone surrogates.
_SURROGATE = re.compile("[\ud800-\udfff]")
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


@dataclass(frozen=True)
class PageRequest:
    """What the requester asked for, validated."""

    team: str
    message: str
    incident: IssueRef | None
    severity: int
    dry_run: bool
    drill: bool = False
    when_covered: bool = False


def parse_chat_input(text: str, teams: Sequence[str], drill: bool = False) -> PageRequest:
    """Split CHAT_INPUT into team, options and the verbatim message (optional for a drill)."""
    stripped = require_text(text, "request").strip()
    if not stripped:
        raise InputError("No team given.", _usage(teams))
    parts = _DASHES.sub("--", stripped).split(None, 1)
    team, rest = parts[0], (parts[1] if len(parts) > 1 else "")
    options: dict[str, str] = {}
    while (match := _LEADING.match(rest)) is not None:
        _collect(match, options)
        rest = rest[match.end():]
    while (match := _TRAILING.search(rest)) is not None:
        _collect(match, options)
        rest = rest[: match.start()]
    drill = drill or "drill" in options
    request = build_request(team, rest, options.get("ref"), options.get("sev"),
                            "dry" in options, teams, DRILL_MESSAGE if drill else "")
    return replace(request, drill=drill, when_covered="queue" in options)


_OPTIONS_HINT = ("Options are --incident REF, --severity 1-4, --drill, --when-covered and "
                 "--dry-run, right after the team name or at the very end.")


def near_miss(name: str) -> str | None:
    """The option a mistyped one was meant to be (--dryrun, --dry_run, --drll, --sev)."""
    typed = name.lower().replace("_", "").replace("-", "")
    plain = {known.replace("-", ""): known for known in OPTION_NAMES}
    if typed in plain:
        return plain[typed]
    import difflib  # only for a typo: not on every page's way to the trigger

    close = difflib.get_close_matches(typed, list(plain), n=1, cutoff=0.8)
    if close:
        return plain[close[0]]
    prefixed = [known for short, known in plain.items() if len(typed) >= 3
                and short.startswith(typed)]
    return prefixed[0] if len(prefixed) == 1 else None


def refuse_stray_options(message: str) -> None:
    """Options left in the message, mistyped or unknown leading ones, never pass silently.

    Ordinary technical text keeps its flags ("git gc --aggressive hangs"); but an option
    of ours anywhere in the text, or something close to one, is refused: it may be a
    dry run or a drill that would otherwise page for real.
    """
    for found in _OPTION_LIKE.finditer(message):
        written, name = found.group(0), found.group("name")
        if name.lower() in OPTION_NAMES:
            raise InputError(f"Option {written!r} is inside the message, so it was not "
                             "applied; nothing was sent.",
                             "Put options right after the team name or at the very end: "
                             "/chatops run page TEAM --severity 1 MESSAGE")
        meant = near_miss(name)
        if meant is not None:
            raise InputError(f"Unknown option {written!r}: did you mean '--{meant}'? "
                             "Nothing was sent.",
                             f"{_OPTIONS_HINT} If {written!r} is part of your message, "
                             "write it without the leading dashes.")
        if found.start() == 0:
            raise InputError(f"Unknown option {written!r}; nothing was sent.", _OPTIONS_HINT)


def _collect(match: re.Match[str], options: dict[str, str]) -> None:
    """Record one recognised option, refusing duplicates."""
    for name in ("ref", "sev", "dry", "drill", "queue"):  # group names of _KNOWN
        value = match.group(name)
        if value is not None:
            if name in options:
                raise InputError(f"Option {match.group(0).strip()!r} is given twice.",
                                 "Give each option once.")
            options[name] = value


def build_request(team: str, message: str, ref: str | None, severity: str | int | None,
                  dry_run: bool, teams: Sequence[str], default_message: str = "") -> PageRequest:
    """Validate every part of a request; raise InputError naming what is wrong."""
    for part, what in ((team, "team name"), (message, "message"), (ref or "", "--incident"),
                       (str(severity or ""), "--severity")):
        require_text(part, what)
    team_key = known_team(team, teams)
    refuse_stray_options(message.strip())
    text = _unquote(message.strip("\n\r\t ")) or default_message
    if not text.strip():
        raise InputError(f"No message given for {team_key}: say what is wrong.",
                         f"Example: /chatops run page {team_key} praefect is failing over")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(f"The message is {len(text)} characters long; at most "
                         f"{MAX_MESSAGE_CHARS} are accepted.",
                         "Shorten it and put details in the incident issue.")
    return PageRequest(team=team_key, message=text, incident=parse_ref(ref) if ref else None,
                       severity=parse_severity(severity), dry_run=dry_run)


def known_team(team: str, teams: Sequence[str]) -> str:
    """The team's key; an unknown name gets a did-you-mean and the list of teams."""
    team_key = require_text(team, "team name").strip().lower()
    if team_key not in teams:
        raise InputError(f"Unknown team {team.strip()!r}.{_did_you_mean(team_key, teams)}",
                         f"Known teams: {', '.join(sorted(teams))}. {_usage(teams)}")
    return team_key


def require_text(text: str, what: str) -> str:
    """The text itself, unless it carries bytes that are not UTF-8: then a refusal."""
    bad = _SURROGATE.search(text)
    if bad is not None:
        raise InputError(f"The {what} contains bytes that are not valid UTF-8 (character "
                         f"{bad.start() + 1}), so it was not understood.",
                         "Retype it in Slack or the terminal; copy-pasted binary text "
                         "cannot be used.")
    return text


def parse_severity(value: str | int | None) -> int:
    """Severity 1 (highest) to 4; default 2."""
    if value is None:
        return DEFAULT_SEVERITY
    text = str(value).strip().lower()
    for prefix in ("severity", "sev", "s"):
        text = text.removeprefix(prefix)
    if text in {"1", "2", "3", "4"}:
        return int(text)
    raise InputError(f"Severity {value!r} is not one of 1, 2, 3, 4.",
                     "Use --severity 1 (critical) to --severity 4 (low).")


def _unquote(text: str) -> str:
    """Drop one pair of quotes wrapped around the whole message."""
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if text[0] not in inner:
            return inner
    return text


def _did_you_mean(team: str, teams: Sequence[str]) -> str:
    """A did-you-mean suggestion, or nothing."""
    import difflib

    close = difflib.get_close_matches(team, list(teams), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _usage(teams: Sequence[str]) -> str:
    """How to call page."""
    example = sorted(teams)[0] if teams else "TEAM"
    return ("Usage: /chatops run page TEAM MESSAGE [--incident REF] [--severity 1-4], "
            f"e.g. /chatops run page {example} praefect is failing over")


@dataclass(frozen=True)
class Requester:
    """Who asked, from where: the CI job's chat context."""

    login: str
    slack_user: str
    channel: str
    job_url: str
    gitlab_url: str
    user_id: str = ""  # GITLAB_USER_ID: what authorisation asks GitLab about

    @property
    def mention(self) -> str:
        """@login, or a plain description when the job has no GitLab user."""
        return f"@{self.login}" if self.login else "an unknown user"


def request_key(team: str, message: str, incident: IssueRef | None, drill: bool = False) -> str:
    """A short stable hash of one request: the same words twice give the same key."""
    text = f"{team}\n{incident or ''}\n{' '.join(message.split())}" + ("\ndrill" if drill else "")
    # surrogatepass: a lone surrogate (os.environ's surrogateescape) must not crash; every
    # other text hashes exactly as before.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
