"""Duplicate detection on a labelled set of name/birth-date pairs: spelling variants of one
person (Arabic, Persian, Afghan, Syrian, Ukrainian, Russian, Turkish, Eritrean names) and
different people with similar names (twins, namesakes, similar family names).

The whole path is exercised: blind-index terms hashed with a key (a pair only becomes a
candidate if a digest is shared), then the score of the decrypted names against the
threshold.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ankommen.intake.adapters.crypto import BlindIndex
from ankommen.intake.domain.matching import (
    NameKey,
    index_terms,
    is_likely_duplicate,
    match_score,
    name_tokens,
)

PAIRS = Path(__file__).with_name("duplicate_pairs.csv")


def labelled_pairs() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def flagged(index: BlindIndex, left: NameKey, right: NameKey) -> bool:
    candidate = bool(index.digests(index_terms(left)) & index.digests(index_terms(right)))
    return candidate and is_likely_duplicate(match_score(left, right))


def key(row: dict[str, str], side: str) -> NameKey:
    return NameKey.of(row[f"{side}_family"], row[f"{side}_given"],
                      date.fromisoformat(row[f"{side}_birth"]))


def test_labelled_set_has_enough_pairs_of_both_kinds():
    pairs = labelled_pairs()
    assert len(pairs) >= 200
    assert sum(row["same"] == "1" for row in pairs) >= 80
    assert sum(row["same"] == "0" for row in pairs) >= 80


def test_recall_and_precision_on_the_labelled_set():
    index = BlindIndex(b"test-blind-index-key-0123456789abcdef")
    true_positive = false_positive = false_negative = 0
    for row in labelled_pairs():
        same = row["same"] == "1"
        found = flagged(index, key(row, "left"), key(row, "right"))
        true_positive += same and found
        false_positive += found and not same
        false_negative += same and not found
    recall = true_positive / (true_positive + false_negative)
    precision = true_positive / (true_positive + false_positive)
    print(f"\nduplicate detection on {len(labelled_pairs())} labelled pairs: "
          f"recall {recall:.3f}, precision {precision:.3f}")
    assert recall >= 0.95
    assert precision >= 0.90


def test_acceptance_example_is_flagged_and_twins_are_not():
    index = BlindIndex(b"another-key-for-this-test-0123456789")
    mohammed = NameKey.of("Al-Hassan", "Mohammed", date(1990, 3, 4))
    assert flagged(index, mohammed, NameKey.of("Alhasan", "Muhammad", date(1990, 3, 4)))
    assert not flagged(index, mohammed, NameKey.of("Al-Hassan", "Omar", date(1990, 3, 4)))
    assert not flagged(index, mohammed, NameKey.of("Al-Hassan", "Mohammed", date(1971, 8, 9)))


@pytest.mark.parametrize(("written", "folded"), [
    ("Al-Hassan", ["hasan"]),
    ("Alhasan", ["hasan"]),
    ("Abd al-Rahman", ["abdulrahman"]),
    ("Абдулрахман", ["abdulrahman"]),
    ("Öztürk", ["ozturk"]),
    ("Oeztuerk", ["ozturk"]),
    ("Schewtschenko", ["shevchenko"]),
    ("Mhd", ["muhamad"]),
    ("van der Berg", ["berg"]),
])
def test_names_are_folded_to_one_spelling(written, folded):
    assert name_tokens(written) == folded


def test_blind_index_depends_on_its_key():
    terms = index_terms(NameKey.of("Karimi", "Ali", date(2001, 5, 30)))
    assert BlindIndex(b"k" * 32).digests(terms) != BlindIndex(b"j" * 32).digests(terms)
    assert not any("karimi" in digest for digest in BlindIndex(b"k" * 32).digests(terms))
