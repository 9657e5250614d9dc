"""The one place templates are rendered: Jinja2 with StrictUndefined.

Untrusted text only ever enters templates as variables, never as template
source, so chat text cannot become template code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes

from chatops.core.coverage import describe_delta
from chatops.core.escape import md_link, md_text, md_url, mermaid_label
from chatops.core.text import code_block, defuse, single_line
from chatops.errors import ConfigError

_PACKAGE = "chatops.templates"


def _clock(moment: datetime | str) -> str:
    """A time as '2026-11-26 14:30 UTC' (the one human format; also for ISO marker times)."""
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return defuse(moment)
        moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _sentence(text: str) -> str:
    """Configured text as one sentence: mentions defused, ending in . ! or ? (never doubled)."""
    text = defuse(" ".join(str(text).split()))
    return text if not text or text[-1] in ".!?" else text + "."


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
                       md_link=md_link, mermaid=mermaid_label, sentence=_sentence)
    return env


def prepare(names: tuple[str, ...], override_dir: Path | None = None) -> None:
    """Compile templates ahead of use (Jinja2 keeps them): a page compiles them while its
    first requests are out, not on the way to the trigger."""
    for name in names:
        try:
            _environment(override_dir).get_template(name)
        except jinja2.TemplateError as exc:
            where = f" (templates_dir {override_dir})" if override_dir else ""
            raise ConfigError(f"Template {name}{where} failed: {exc}",
                              "Fix the template; the shipped ones are in chatops/templates."
                              ) from exc


def render(name: str, context: dict[str, Any], override_dir: Path | None = None) -> str:
    """Render one template by file name."""
    try:
        template = _environment(override_dir).get_template(name)
        return template.render(**context).strip() + "\n"
    except jinja2.TemplateError as exc:
        where = f" (templates_dir {override_dir})" if override_dir else ""
        raise ConfigError(f"Template {name}{where} failed: {exc}",
                          "Fix the template; the shipped ones are in chatops/templates.") from exc


def shipped() -> list[str]:
    """The file names of the shipped templates."""
    folder = resources.files(_PACKAGE)
    return sorted(item.name for item in folder.iterdir() if item.name.endswith(".j2"))


def static_problems(override_dir: Path | None, variables: dict[str, frozenset[str]],
                    all_templates: bool = True) -> list[str]:
    """Problems visible without rendering: the folder, unused files, syntax, unknown names.

    variables: the names each template is given. all_templates: variables lists every
    template chatops uses, so any other file in the folder is a mistake, and the shipped
    templates are checked too; otherwise only the overriding files are (parsing costs time).
    """
    try:
        env = _environment(override_dir)
    except ConfigError as exc:
        return [exc.message]
    problems = []
    if override_dir is not None and all_templates:
        for path in sorted(override_dir.iterdir()):
            if path.is_file() and path.name not in variables:
                problems.append(f"templates_dir {override_dir}: {path.name} is not a template "
                                f"chatops uses (they are: {', '.join(sorted(variables))}).")
    for name, known in sorted(variables.items()):
        if not all_templates and (override_dir is None or not (override_dir / name).is_file()):
            continue
        assert env.loader is not None
        try:
            tree = env.parse(env.loader.get_source(env, name)[0])
            # Names the template sets itself ({% set %}, loops, macro arguments) are known.
            own = {node.name for node in tree.find_all(jinja2.nodes.Name)
                   if node.ctx in ("store", "param")}
            unknown = jinja2.meta.find_undeclared_variables(tree) - known - own
        except jinja2.TemplateError as exc:
            problems.append(f"Template {name}: {exc}")
            continue
        if unknown:
            problems.append(f"Template {name}: unknown variable(s) {', '.join(sorted(unknown))} "
                            f"(it gets: {', '.join(sorted(known))}).")
    return problems
