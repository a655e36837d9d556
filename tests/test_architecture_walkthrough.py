"""docs/architecture.md walks one case from intake's form to monitoring's dashboard through the
code ("One case through the code", issue 22 item 6). A walk-through that names a module which
was moved, renamed or emptied sends the next reader astray, and one that keeps growing is no
longer a walk; so this reads the section and holds it to its promise:

- it names at most twenty distinct modules, from intake to monitoring;
- each named module has one entry — ``- `path` (`name`, …) — why`` — whose file exists and
  defines every name given beside it (at any depth: a route inside its router factory counts);
- each entry says why the module exists, as what would go wrong without it ("Without it …").

A module is any backticked ``services/…/*.py`` or ``shared/…/*.py`` path in the section, so
one mentioned in passing counts against the twenty and needs its entry too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
HEADING = "## One case through the code"
MAX_MODULES = 20
#: The services the case passes through, in order: the walk must reach each of them.
SERVICES = ("intake", "assignment", "progress", "monitoring")

MODULE = re.compile(r"`((?:services|shared)/[A-Za-z0-9_./-]+\.py)`")
ENTRY = re.compile(r"- `(?P<path>[^`]+)`\s*(?:\((?P<names>[^)]*)\))?\s*—\s*(?P<why>.*)", re.S)
NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
#: Enough words to say what the module does and what would go wrong without it.
MIN_WHY_WORDS = 25


@dataclass(frozen=True)
class Entry:
    path: str
    names: tuple[str, ...]
    why: str


def section(markdown: str) -> str:
    """The walk-through: from its heading to the next heading of the same level."""
    start = markdown.index(HEADING + "\n")
    end = markdown.find("\n## ", start + len(HEADING))
    return markdown[start:end if end != -1 else len(markdown)]


def entries(text: str) -> list[Entry]:
    """The bullet entries: a line ``- `path` …`` and its indented continuation lines."""
    items: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append([line])
        elif line.startswith("  ") and items and items[-1]:
            items[-1].append(line.strip())
        elif items and items[-1]:
            items.append([])
    found: list[Entry] = []
    for item in items:
        match = ENTRY.fullmatch(" ".join(item)) if item else None
        if match:
            found.append(Entry(match["path"], tuple(NAME.findall(match["names"] or "")),
                               " ".join(match["why"].split())))
    return found


def defined_names(path: Path) -> set[str]:
    """Functions, classes and assigned names anywhere in the module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def outline_problems(text: str) -> list[str]:
    """What is wrong with the section as a whole: too many modules, a module without its
    entry (or with two), a service the walk never reaches."""
    named = set(MODULE.findall(text))
    listed = [entry.path for entry in entries(text)]
    problems = [f"{len(named)} modules named, at most {MAX_MODULES}"
                ] if len(named) > MAX_MODULES else []
    problems += [f"{path}: named without an entry" for path in sorted(named - set(listed))]
    problems += [f"{path}: {listed.count(path)} entries" for path in sorted(set(listed))
                 if listed.count(path) > 1]
    problems += [f"{path}: an entry that is not a module path" for path in listed
                 if not MODULE.fullmatch(f"`{path}`")]
    problems += [f"the walk never reaches {service}" for service in SERVICES
                 if not any(f"/ankommen/{service}/" in path for path in named)]
    return problems


def entry_problems(entry: Entry, root: Path = ROOT) -> list[str]:
    """What is wrong with one entry: a missing file, a name the file does not define, no
    reason given."""
    problems: list[str] = []
    path = root / entry.path
    if not path.is_file():
        problems.append(f"{entry.path}: no such file")
    elif not entry.names:
        problems.append(f"{entry.path}: no name to look for in it")
    else:
        problems += [f"{entry.path}: defines no {name}" for name in entry.names
                     if name not in defined_names(path)]
    if len(entry.why.split()) < MIN_WHY_WORDS or "Without it" not in entry.why:
        problems.append(f"{entry.path}: no reason why it exists (\"Without it …\", "
                        f"at least {MIN_WHY_WORDS} words)")
    return problems


WALK = section(ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_walk_names_at_most_twenty_modules_each_with_one_entry() -> None:
    assert entries(WALK)
    assert outline_problems(WALK) == []


@pytest.mark.parametrize("entry", entries(WALK), ids=lambda entry: entry.path)
def test_each_named_module_exists_defines_its_names_and_says_why(entry: Entry) -> None:
    assert entry_problems(entry) == []


# The checks themselves, on planted sections: each finds what it is there for.

PLANTED = f"""{HEADING}

Intro naming `shared/src/ankommen/shared/db/unit_of_work.py` in passing.

- `services/intake/src/ankommen/intake/service/register_arrival.py` (`register_arrival`,
  `no_such_function`) — registers. Without it nothing.
- `services/assignment/src/ankommen/assignment/service/allocation.py` (`place_after`) — runs
  an allocation after a batch of events, records the placements with their referral codes
  and announces them. Without it the optimiser's answer would be stored and announced in as
  many ways as there are callers.
- `services/progress/src/ankommen/progress/service/gone.py` (`submit`) — x.
"""


def test_the_checks_find_a_module_without_entry_a_missing_name_file_or_reason() -> None:
    planted = entries(PLANTED)
    assert [entry.path for entry in planted] == [
        "services/intake/src/ankommen/intake/service/register_arrival.py",
        "services/assignment/src/ankommen/assignment/service/allocation.py",
        "services/progress/src/ankommen/progress/service/gone.py"]
    assert outline_problems(PLANTED) == [
        "shared/src/ankommen/shared/db/unit_of_work.py: named without an entry",
        "the walk never reaches monitoring"]
    register, allocation, gone = (entry_problems(entry) for entry in planted)
    assert register == [
        f"{planted[0].path}: defines no no_such_function",
        f"{planted[0].path}: no reason why it exists (\"Without it …\", "
        f"at least {MIN_WHY_WORDS} words)"]
    assert allocation == []
    assert gone[0] == f"{planted[2].path}: no such file"


def test_the_count_check_refuses_a_twenty_first_module() -> None:
    bullets = "\n".join(f"- `services/intake/src/ankommen/intake/m{number}.py` (`f`) — why"
                        for number in range(MAX_MODULES + 1))
    assert outline_problems(f"{HEADING}\n\n{bullets}\n")[0] == (
        f"{MAX_MODULES + 1} modules named, at most {MAX_MODULES}")
