"""The decision records name the code and the pages where a decision lives; a record that
points at a file which was moved or deleted misleads the next reader. So every relative link
(with its heading anchor) and every backticked repository path in ``docs/decisions/*.md``
must exist, and every record must be listed in the index. Relative links of the other docs
pages are checked too: they are where the records are linked from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DECISIONS = DOCS / "decisions"

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
#: A backticked span that is nothing but a path with a folder: `shared/src/…/relay.py`,
#: `bench/wrk/`; optionally followed by ``::name`` (a test or function in that file).
REPO_PATH = re.compile(r"[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)+/?")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
#: An explicit anchor where a bold paragraph, not a heading, is the link's target.
HTML_ANCHOR = re.compile(r'<a (?:id|name)="([^"]+)"')


def records() -> list[Path]:
    return sorted(DECISIONS.glob("[0-9][0-9][0-9][0-9]-*.md"))


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md")) + sorted(DECISIONS.glob("*.md"))


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    headings = {anchor(heading) for heading in HEADING.findall(text)}
    return headings | set(HTML_ANCHOR.findall(text))


def broken_links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, fragment = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        unknown_heading = (destination.exists() and destination.suffix == ".md"
                           and bool(fragment) and fragment not in anchors(destination))
        if not destination.exists() or unknown_heading:
            broken.append(target)
    return broken


def test_there_are_decision_records_and_an_index() -> None:
    assert (DECISIONS / "README.md").exists()
    assert records()


@pytest.mark.parametrize("page", pages(), ids=lambda page: str(page.relative_to(DOCS)))
def test_every_relative_link_of_the_docs_reaches_its_file_and_heading(page: Path) -> None:
    assert broken_links(page) == []


@pytest.mark.parametrize("record", records(), ids=lambda page: page.name)
def test_every_backticked_path_of_a_record_exists_in_the_repository(record: Path) -> None:
    text = record.read_text(encoding="utf-8")
    named = {span.split("::")[0] for span in CODE.findall(text)}
    missing = sorted(path for path in named
                     if REPO_PATH.fullmatch(path) and not (ROOT / path).exists())
    assert missing == []


@pytest.mark.parametrize("record", records(), ids=lambda page: page.name)
def test_every_record_is_in_the_index_and_has_its_parts(record: Path) -> None:
    index = (DECISIONS / "README.md").read_text(encoding="utf-8")
    assert f"({record.name})" in index
    text = record.read_text(encoding="utf-8")
    for part in ("## Context", "## Decision", "## Consequences", "Status:", "Date:"):
        assert part in text, part
