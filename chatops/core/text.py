"""Make untrusted chat text inert: no quick actions, no mentions, no markup."""

from __future__ import annotations

import re

ZWSP = "\u200b"
# GitLab mentions (@user, @group, @all) and Slack broadcasts (<!channel>, <@U123>).
_MENTION = re.compile(r"@(?=[\w.-])")
_SLACK = re.compile(r"<(?=[!@#])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone|group)\b)", re.I)


def clean(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and normalise line ends."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def defuse(text: str) -> str:
    """One line, with mentions and Slack broadcasts broken by a zero-width space.

    For inline text from elsewhere (names, notes' authors): a newline could start a
    quick action, so all white space collapses to single spaces.
    """
    line = " ".join(clean(text).split())
    return _SLACK.sub("<" + ZWSP, _MENTION.sub("@" + ZWSP, line))


def code_block(text: str) -> str:
    """Quote text as an indented Markdown code block.

    Every line starts with four spaces, so no line can begin with `/` (GitLab
    only runs quick actions that start a line) and Markdown, mentions and HTML
    inside are shown literally, never interpreted.
    """
    return "\n".join("    " + line if line else "    " for line in clean(text).split("\n"))


def single_line(text: str, limit: int) -> str:
    """Collapse text to one defused line of at most limit characters."""
    line = " ".join(clean(text).split())
    line = defuse(line)
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def first_line(text: str, limit: int) -> str:
    """The first non-empty line of text, defused and shortened."""
    for line in clean(text).split("\n"):
        if line.strip():
            return single_line(line, limit)
    return ""


def slack_escape(text: str) -> str:
    """Text as Slack shows it literally: no link, mention or broadcast can come alive.

    Slack parses `<...>` (<!channel>, <!here>, <!everyone>, <!subteam^ID>, <@U123>,
    <#C1>, <url|label>) and `&` entities, and asks apps to escape exactly `&`, `<` and
    `>` when they are not meant as control characters ("Escaping text",
    https://docs.slack.dev/messaging/formatting-message-text/#escaping-text). GitLab posts
    a ChatOps job's reply to Slack unchanged as the message `text`, in the channel
    (gitlabhq lib/gitlab/chat/responder/slack.rb, `message_text`). Plain `@channel`
    words notify only when a poster asks Slack to link names (`link_names`, `parse=full`;
    gitlab-org/release-tools!531: apps must write <!channel>), which GitLab does not do
    today; a zero-width space after `@` keeps them inert should that ever change.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@" + ZWSP, escaped)
