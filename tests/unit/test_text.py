"""Untrusted text never becomes a quick action, a mention or markup."""

from chatops.core.text import ZWSP, code_block, defuse, first_line, single_line


def test_code_block_leaves_no_line_starting_with_a_slash() -> None:
    block = code_block("/close\n/label ~x\n\n  /assign @me\r\n/title pwned")
    assert all(line.startswith("    ") for line in block.split("\n"))
    assert "\n/" not in "\n" + block


def test_defuse_breaks_gitlab_and_slack_mentions() -> None:
    text = defuse("ping @all and @gitaly-team <!channel> <@U123> mail a@b.c")
    assert "@all" not in text and "@gitaly" not in text
    assert "<!channel>" not in text and "<@U123>" not in text
    assert f"@{ZWSP}all" in text


def test_single_line_collapses_and_truncates() -> None:
    assert single_line("a\n b\tc", 10) == "a b c"
    assert single_line("x" * 50, 10) == "x" * 9 + "…"


def test_first_line_skips_blank_lines() -> None:
    assert first_line("\n\n  hello @all\nmore", 40) == f"hello @{ZWSP}all"


def test_defuse_is_one_line_so_no_quick_action_can_start() -> None:
    assert defuse("Eve\n/close\r\n@all") == f"Eve /close @{ZWSP}all"


def test_slack_escape_escapes_exactly_the_three_control_characters() -> None:
    from chatops.core.text import slack_escape

    assert slack_escape("a & b <!here> <@U1|x> 'q' \"d\" * _ ~") == (
        "a &amp; b &lt;!here&gt; &lt;@U1|x&gt; 'q' \"d\" * _ ~")
    assert slack_escape("&amp;") == "&amp;amp;"  # shown as typed, never decoded


def test_slack_escape_breaks_plain_broadcast_words_only() -> None:
    from chatops.core.text import slack_escape

    assert slack_escape("@channel @Here @EVERYONE @group!") == (
        f"@{ZWSP}channel @{ZWSP}Here @{ZWSP}EVERYONE @{ZWSP}group!")
    assert slack_escape("@channels @sre-alice mail@example.com") == (
        "@channels @sre-alice mail@example.com")
