"""Acceptance of duplicate detection on the held-out split of the labelled pairs (issue 17):
recall ≥ 0.97 at precision ≥ 0.95, ≥ 0.90 recall in every category of matches with at least
20 pairs, and names typed in another script found as often as Latin spelling variants.

The holdout split is never used for training (tests/intake/matching/train.py reads train
only), so these are figures on people the model has not seen. The whole path is exercised:
blocking keys (a pair is only scored if it shares one) and the committed model's weight
against its warn threshold.
"""

from __future__ import annotations

import unicodedata

import pytest

from ankommen.intake.domain.match_model import MODEL
from tests.intake.matching.evaluate import Evaluation, evaluate, flagged
from tests.intake.matching.pairs import LabelledPair, load_pairs
from tests.intake.matching.train import comparable

HOLDOUT = load_pairs(split="holdout")


@pytest.fixture(scope="module")
def holdout() -> Evaluation:
    return evaluate(HOLDOUT, "holdout")


def test_holdout_split_is_large_enough():
    assert len(HOLDOUT) >= 1000


def test_recall_and_precision_on_the_holdout_split(holdout: Evaluation):
    print(f"\nholdout: recall {holdout.recall:.3f}, precision {holdout.precision:.3f}, "
          f"blocking {holdout.blocking_recall:.3f}")
    assert holdout.recall >= 0.97
    assert holdout.precision >= 0.95


def test_every_large_category_of_matches_reaches_its_recall(holdout: Evaluation):
    large = {category: figures for (category, label), figures in holdout.categories.items()
             if label == "match" and figures.pairs >= 20}
    assert large
    assert {category: round(figures.rate, 3) for category, figures in large.items()
            if figures.rate < 0.90} == {}


def _typed_in_other_script(pair: LabelledPair) -> bool:
    names = (pair.left.family_name + pair.left.given_names + pair.right.family_name
             + pair.right.given_names)
    return any(char.isalpha() and "LATIN" not in unicodedata.name(char, "") for char in names)


def test_names_in_another_script_are_found_as_often_as_latin_variants():
    matches = [pair for pair in HOLDOUT if pair.is_match]

    def recall(pairs: list[LabelledPair]) -> float:
        assert pairs
        return sum(flagged(MODEL, comparable(pair.left), comparable(pair.right))[1]
                   for pair in pairs) / len(pairs)

    script = recall([pair for pair in matches if _typed_in_other_script(pair)])
    latin = recall([pair for pair in matches if not _typed_in_other_script(pair)])
    assert script >= latin - 0.02
