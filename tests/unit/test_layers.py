"""The arrows between the floors: the core is pure, the product never imports the emulator."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chatops"


def imported(path: Path) -> set[str]:
    """Every module a file imports (at any depth of the file)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_only_itself_and_errors(path: Path) -> None:
    """chatops/core is the pure domain: no configuration, adapters or application code."""
    ours = {m for m in imported(path) if m == "chatops" or m.startswith("chatops.")}
    assert all(m.startswith("chatops.core.") or m == "chatops.errors" for m in ours), ours


@pytest.mark.parametrize("path", sorted(p for p in [*PACKAGE.glob("*.py"),
                                               *(PACKAGE / "page").glob("*.py")]
                                      if p.name != "__main__.py"),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_application_modules_never_import_the_cli(path: Path) -> None:
    """The arrow is cli -> application -> core/adapters (`python -m chatops` starts the CLI)."""
    assert not any(m == "chatops.cli" or m.startswith("chatops.cli.") for m in imported(path))


@pytest.mark.parametrize("path", sorted((PACKAGE / "cli").glob("*.py")), ids=lambda p: p.name)
def test_the_cli_parses_no_payload(path: Path) -> None:
    """Webhook bodies are read by the application (webhook.py) and parsed by the core."""
    assert "chatops.core.webhook" not in imported(path)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_the_product_never_imports_the_emulator_at_module_level(path: Path) -> None:
    """Only `chatops demo` loads the emulator, inside the command, on use."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in top if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(m.startswith("chatops_emulator") for m in names)


@pytest.mark.parametrize("path", sorted((PACKAGE.parent / "chatops_emulator").glob("*.py")),
                         ids=lambda p: p.name)
def test_the_emulator_imports_nothing_of_chatops(path: Path) -> None:
    """The emulator is the other side of the wire: it models the vendors, not our code."""
    assert not any(m == "chatops" or m.startswith("chatops.") for m in imported(path))


EVENTS_V2_FIELDS = frozenset({"payload", "custom_details", "event_action", "routing_key",
                              "client_url", "critical", "warning", "info", "links"})


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_never_spells_events_api_v2(path: Path) -> None:
    """The core decides what to page; adapters/pagerduty_events.py spells Events API v2."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    words = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not words & EVENTS_V2_FIELDS
