"""How well duplicate detection does on a split of the labelled pairs.

``python -m tests.intake.matching.evaluate [split] [--write-docs]`` prints (or, with
``--write-docs``, writes into docs/intake.md between the duplicate-report markers; ``make
duplicate-report`` does that for the holdout split) recall, precision, the share of
true pairs that reach scoring at all (they share a blocking key or a file number), and per
category the recall (categories of matches) or the false-positive rate (categories of
non-matches). A pair counts as flagged when it reaches scoring and its match weight is at
least the model's ``warn`` threshold — the path registration takes.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ankommen.intake.domain.match_model import MODEL, MatchModel
from ankommen.intake.domain.matching import Comparable, blocking_keys
from tests.intake.matching.pairs import PAIRS, LabelledPair, load_pairs
from tests.intake.matching.train import comparable


def reaches_scoring(left: Comparable, right: Comparable) -> bool:
    """Whether two records would be candidates of each other: a shared blocking key or an
    equal file number (each file number is a key of its own)."""
    return bool(blocking_keys(left) & blocking_keys(right)
                or left.file_numbers & right.file_numbers)


def blocking_recall(pairs: list[LabelledPair]) -> float:
    """The share of true pairs that reach scoring at all."""
    matches = [pair for pair in pairs if pair.is_match]
    reached = sum(reaches_scoring(comparable(pair.left), comparable(pair.right))
                  for pair in matches)
    return reached / len(matches) if matches else 1.0


@dataclass
class CategoryFigures:
    label: str
    pairs: int = 0
    flagged: int = 0

    @property
    def rate(self) -> float:
        """Recall for a category of matches, false-positive rate for one of non-matches."""
        return self.flagged / self.pairs if self.pairs else 0.0


@dataclass
class Evaluation:
    split: str
    pairs: int = 0
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    blocked: int = 0
    matches: int = 0
    #: (category, label) → figures.
    categories: dict[tuple[str, str], CategoryFigures] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        found = self.true_positive + self.false_negative
        return self.true_positive / found if found else 0.0

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def blocking_recall(self) -> float:
        return self.blocked / self.matches if self.matches else 1.0


def flagged(model: MatchModel, left: Comparable, right: Comparable) -> tuple[bool, bool]:
    """(reaches scoring, flagged as a possible duplicate)."""
    if not reaches_scoring(left, right):
        return False, False
    return True, model.is_possible_duplicate(model.weight(left, right))


def evaluate(pairs: list[LabelledPair], split: str, model: MatchModel = MODEL) -> Evaluation:
    result = Evaluation(split)
    by_category: dict[tuple[str, str], CategoryFigures] = defaultdict(
        lambda: CategoryFigures(""))
    for pair in pairs:
        reached, found = flagged(model, comparable(pair.left), comparable(pair.right))
        result.pairs += 1
        figures = by_category[pair.category, pair.label]
        figures.label, figures.pairs, figures.flagged = (pair.label, figures.pairs + 1,
                                                          figures.flagged + found)
        if pair.is_match:
            result.matches += 1
            result.blocked += reached
            result.true_positive += found
            result.false_negative += not found
        else:
            result.false_positive += found
    result.categories = dict(sorted(by_category.items()))
    return result


def report(result: Evaluation) -> str:
    """The figures and the per-category table, in Markdown."""
    lines = [f"On the **{result.split}** split ({result.pairs} pairs, {result.matches} "
             f"matches): **recall {result.recall:.3f}, precision {result.precision:.3f}**; "
             f"{result.blocking_recall:.3f} of the true pairs share a blocking key "
             "(reach scoring).", "",
             "| category | label | pairs | flagged | recall / false-positive rate |",
             "|---|---|---:|---:|---:|"]
    for (category, _), figures in result.categories.items():
        kind = "recall" if figures.label == "match" else "false positives"
        lines.append(f"| {category} | {figures.label} | {figures.pairs} | "
                     f"{figures.flagged} | {figures.rate:.3f} ({kind}) |")
    return "\n".join(lines)


DOCS = Path(__file__).parents[3] / "docs" / "intake.md"
START, END = "<!-- duplicate-report:start -->", "<!-- duplicate-report:end -->"


def write_docs(text: str, path: Path = DOCS) -> None:
    """Replace what stands between the markers in ``path`` by ``text``."""
    document = path.read_text(encoding="utf-8")
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    split = arguments[0] if arguments else "holdout"
    pairs = load_pairs(split=split)
    if not pairs:
        sys.exit(f"no {split} pairs in {PAIRS}")
    text = report(evaluate(pairs, split))
    if "--write-docs" in sys.argv:
        write_docs(text)
    print(text)


if __name__ == "__main__":
    main()
