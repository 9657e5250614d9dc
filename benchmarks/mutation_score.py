"""Mutation score of chatops/core against its unit tests alone (mutmut).

Copies the committed tree (git archive HEAD, plus uncommitted changes with --worktree)
into a temporary folder, runs `mutmut run` there with the [tool.mutmut] settings of
pyproject.toml (mutate chatops/core, run tests/unit), and prints the score per module
and in total. Survivors are listed with --survivors; `mutmut show NAME` in the printed
folder (kept with --keep) shows one.

    .venv/bin/python benchmarks/mutation_score.py [--worktree] [--survivors] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.85  # issue #12


def copy_tree(dest: Path, worktree: bool) -> None:
    """The committed tree (or the work tree, untracked files included) into dest."""
    if worktree:
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split()
        for name in files:
            if (ROOT / name).is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, dest / name)
        return
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def results(folder: Path) -> dict[str, str]:
    """Mutant name -> status, from `mutmut results --all true`."""
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                         cwd=folder, capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().partition(": ")
        if name and status:
            found[name] = status
    return found


def module_of(mutant: str) -> str:
    """chatops.core.compose.x_title__mutmut_3 -> chatops.core.compose."""
    return mutant.split(".x")[0].split(".x_")[0]


def main() -> int:
    """Run mutmut in a copy and print the score; exit 1 below the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worktree", action="store_true", help="include uncommitted changes")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--keep", action="store_true", help="keep the folder for mutmut show")
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="chatops-mutants-"))
    try:
        copy_tree(folder, args.worktree)
        subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children",
                        str(args.max_children)], cwd=folder, check=True,
                       stdout=subprocess.DEVNULL)
        found = results(folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    total, killed = Counter[str](), Counter[str]()
    for name, status in found.items():
        total[module_of(name)] += 1
        killed[module_of(name)] += status == "killed"
    print("| module | mutants | killed | score |\n|---|---|---|---|")
    for module in sorted(total):
        print(f"| {module} | {total[module]} | {killed[module]} | "
              f"{killed[module] / total[module]:.0%} |")
    score = sum(killed.values()) / max(1, sum(total.values()))
    print(f"| **all of chatops/core** | {sum(total.values())} | {sum(killed.values())} | "
          f"**{score:.1%}** |")
    if args.survivors:
        print("\nsurvivors:\n" + "\n".join(n for n, s in sorted(found.items()) if s != "killed"))
    if args.keep:
        print(f"\nmutants kept in {folder}")
    print(f"\ntarget {TARGET:.0%}: {'met' if score >= TARGET else 'NOT met'}")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
