"""The one place templates are rendered: Jinja2 with StrictUndefined.

Untrusted text only ever enters templates as variables, never as template
source, so chat text cannot become template code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from chatops.core.coverage import describe_delta
from chatops.core.escape import md_link, md_text, md_url, mermaid_label
from chatops.core.text import code_block, defuse, single_line
from chatops.errors import ConfigError

_PACKAGE = "chatops.templates"


def _clock(moment: datetime) -> str:
    """A time as '2026-11-26 14:30 UTC'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@cache
def _environment(override_dir: Path | None) -> jinja2.Environment:
    """Shipped templates, optionally overridden file by file from a folder."""
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None:
        if not override_dir.is_dir():
            raise ConfigError(f"templates_dir {override_dir} is not a folder.",
                              "Fix templates_dir in chatops.toml or remove it.")
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.PackageLoader(_PACKAGE, "."))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(code_block=code_block, defuse=defuse, one_line=single_line,
                       duration=describe_delta, clock=_clock, md=md_text, md_url=md_url,
                       md_link=md_link, mermaid=mermaid_label)
    return env


def render(name: str, context: dict[str, Any], override_dir: Path | None = None) -> str:
    """Render one template by file name."""
    try:
        template = _environment(override_dir).get_template(name)
        return template.render(**context).strip() + "\n"
    except jinja2.TemplateError as exc:
        where = f" (templates_dir {override_dir})" if override_dir else ""
        raise ConfigError(f"Template {name}{where} failed: {exc}",
                          "Fix the template; the shipped ones are in chatops/templates.") from exc
