"""A migration revision is frozen: what it creates never changes once it is released.

A revision that builds tables through code it imports (the shared outbox helper did, for every
service's first revision) changes whenever that code changes: a database migrated before the
change and one migrated after end up with different tables under the same revision number, and
the next revision cannot know which it finds. So a revision may import only Alembic and
SQLAlchemy, nothing of ankommen — and nothing behind the import system's back either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REVISIONS = sorted(ROOT.glob("services/*/src/ankommen/*/migrations/versions/*.py"))
#: What a frozen revision may import: the migration tools, whose behaviour is pinned by the lock.
ALLOWED = {"__future__", "alembic", "sqlalchemy"}
#: Ways to reach other code without an import statement.
DYNAMIC = {"__import__", "import_module", "exec", "eval", "run_path", "run_module"}


def imported_modules(tree: ast.AST) -> list[str]:
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules.append("." * node.level + (node.module or ""))
    return modules


def dynamic_imports(tree: ast.AST) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            name = (function.id if isinstance(function, ast.Name)
                    else function.attr if isinstance(function, ast.Attribute) else "")
            if name in DYNAMIC:
                calls.append(name)
    return calls


def test_every_service_has_revisions():
    services = {path.parents[2].name for path in REVISIONS}
    assert services == {"assignment", "intake", "monitoring", "progress"}


@pytest.mark.parametrize("revision", REVISIONS,
                         ids=[f"{path.parents[2].name}/{path.stem}" for path in REVISIONS])
def test_a_revision_imports_nothing_that_could_change_it(revision: Path):
    tree = ast.parse(revision.read_text(), filename=str(revision))
    foreign = [module for module in imported_modules(tree)
               if module.split(".")[0] not in ALLOWED]
    assert foreign == [], f"{revision.name} imports {foreign}: write the DDL out in the revision"
    assert dynamic_imports(tree) == []


def test_the_check_catches_the_helper_import_that_revisions_used_to_have():
    tree = ast.parse("from ankommen.shared.messaging.tables import create_messaging_tables\n"
                     "import importlib\nimportlib.import_module('ankommen.shared')\n")
    assert [module for module in imported_modules(tree)
            if module.split(".")[0] not in ALLOWED] == ["ankommen.shared.messaging.tables",
                                                        "importlib"]
    assert dynamic_imports(tree) == ["import_module"]
