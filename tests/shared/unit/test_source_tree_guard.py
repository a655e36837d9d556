"""The guard that no test writes into the source tree: it reports a written file, but not the
figures file ``make verify`` asks the run to write (that is the run's output)."""

from __future__ import annotations

from tests.support.source_tree import snapshot, written_since


def test_a_file_written_into_the_tree_is_reported(tmp_path, monkeypatch):
    monkeypatch.delenv("ANKOMMEN_FIGURES_FILE", raising=False)
    (tmp_path / "kept.txt").write_text("before")
    before = snapshot(tmp_path)
    (tmp_path / "test.db").write_text("written by a test")
    assert written_since(before, tmp_path) == ["test.db"]


def test_the_figures_file_the_run_was_asked_to_write_is_not(tmp_path, monkeypatch):
    figures = tmp_path / "var" / "verify" / "figures.json"
    monkeypatch.setenv("ANKOMMEN_FIGURES_FILE", str(figures))
    before = snapshot(tmp_path)
    figures.parent.mkdir(parents=True)
    figures.write_text("{}")
    (tmp_path / "stray.log").write_text("not asked for")
    assert written_since(before, tmp_path) == ["stray.log"]
