"""The figures section of docs/reliability.md is generated from the figures file, every
section alike, between the markers; the rest of the document stays as written."""

from __future__ import annotations

from tests.reliability.report import BEGIN, END, rewrite


def test_figures_section_is_rewritten_between_the_markers_only(tmp_path):
    document = tmp_path / "reliability.md"
    document.write_text(f"# Title\n\nprose\n\n{BEGIN}\nold figures\n{END}\n\nmore prose\n")
    rewrite(document, {"recorded_at": "2026-01-01T00:00:00+00:00",
                       "crash consistency": {"cases": 10000, "kills per service": {"intake": 3}},
                       "fuzzing": {"cases": 1234}})
    text = document.read_text()
    assert text.startswith("# Title\n\nprose\n\n") and text.endswith("\n\nmore prose\n")
    assert "old figures" not in text
    assert "| cases | 10,000 |" in text and "| kills per service | intake: 3 |" in text
    assert "### Fuzzing" in text and "| cases | 1,234 |" in text
