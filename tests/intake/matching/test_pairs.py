"""The evaluation set of duplicate detection is what its generator writes, large enough, split
so that every category can be measured on held-out pairs, and made of records intake would
accept (issue 17)."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from ankommen.intake.domain.identity import FileNumber, Identity
from tests.intake.matching.generator import LEGACY, TRADITIONS, generate
from tests.intake.matching.pairs import LABELS, PAIRS, SPLITS, LabelledPair, load_pairs, write_pairs

#: A fixed "today" for the birth-date check: the set must not age with the clock.
TODAY = date(2026, 1, 1)
SCRIPTS = {"script-to-latin-arabic": "ARABIC", "script-to-latin-persian": "ARABIC",
           "script-to-latin-pashto": "ARABIC", "script-to-latin-kurdish": "ARABIC",
           "script-to-latin-cyrillic": "CYRILLIC",
           "script-to-latin-ethiopic": "ETHIOPIC"}


@pytest.fixture(scope="module")
def pairs() -> list[LabelledPair]:
    return load_pairs()


@pytest.fixture(scope="module")
def generated(pairs: list[LabelledPair]) -> list[LabelledPair]:
    legacy = {pair.pair_id for pair in load_pairs(LEGACY)}
    return [pair for pair in pairs if pair.pair_id not in legacy]


def test_committed_set_is_the_generators_output(tmp_path: Path) -> None:
    fresh = tmp_path / "pairs.csv"
    write_pairs(generate(), fresh)
    assert fresh.read_bytes() == PAIRS.read_bytes(), \
        "pairs.csv differs from the generator's output: run python -m " \
        "tests.intake.matching.generator (never edit pairs.csv by hand)"


def test_legacy_pairs_are_kept_in_train(pairs: list[LabelledPair]) -> None:
    legacy = load_pairs(LEGACY)
    assert len(legacy) == 216
    by_id = {pair.pair_id: pair for pair in pairs}
    assert all(by_id[pair.pair_id] == pair and pair.split == "train" for pair in legacy)


def test_at_least_two_thousand_generated_pairs_of_both_labels(
        generated: list[LabelledPair]) -> None:
    assert len(generated) >= 2000
    labels = Counter(pair.label for pair in generated)
    assert set(labels) == set(LABELS)
    assert labels["non_match"] >= 500


def test_pair_ids_are_unique(pairs: list[LabelledPair]) -> None:
    duplicated = [pair_id for pair_id, count in
                  Counter(pair.pair_id for pair in pairs).items() if count > 1]
    assert duplicated == []


def test_every_category_is_split_in_halves_with_enough_held_out_pairs(
        generated: list[LabelledPair]) -> None:
    by_category: defaultdict[str, Counter[str]] = defaultdict(Counter)
    labels: defaultdict[str, set[str]] = defaultdict(set)
    for pair in generated:
        by_category[pair.category][pair.split] += 1
        labels[pair.category].add(pair.label)
    for category, splits in by_category.items():
        total = sum(splits.values())
        assert set(splits) == set(SPLITS), category
        assert total >= 40, category
        assert splits["holdout"] >= 20, category
        assert abs(splits["holdout"] - splits["train"]) <= 1, category
        assert len(labels[category]) == 1, f"{category} mixes labels"


def test_issue_categories_are_all_there(generated: list[LabelledPair]) -> None:
    categories = {pair.category for pair in generated}
    expected = {
        *(f"latin-variant-{tradition}" for tradition in (
            "arabic", "persian", "pashto", "kurdish", "tigrinya", "amharic", "somali",
            "ukrainian", "russian", "turkish", "albanian", "german")),
        *SCRIPTS, "somali-orthography", "ethiopian-family-name", "swapped-names",
        "variant-plus-date-swap", "variant-plus-placeholder-date", "two-typos",
        "extra-given-name", "same-file-number", "different-household-same-person",
        "twins", "opposite-sex-siblings", "parent-child-same-name", "namesakes",
        "household-number", "different-person-numbers", "letter-folding"}
    assert expected <= categories


def _letters_of(text: str, script: str) -> bool:
    return any(unicodedata.name(char, "").startswith(script) for char in text)


def test_script_categories_have_native_script_on_one_side_and_latin_on_the_other(
        generated: list[LabelledPair]) -> None:
    for pair in generated:
        script = SCRIPTS.get(pair.category)
        if script is None:
            continue
        sides = [f"{side.family_name} {side.given_names}" for side in (pair.left, pair.right)]
        native = [_letters_of(side, script) for side in sides]
        assert sorted(native) == [False, True], pair.pair_id
        latin = sides[native.index(False)]
        assert all(not char.isalpha() or unicodedata.name(char).startswith("LATIN")
                   for char in latin), pair.pair_id


def _plain(name: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", name.casefold().replace("ı", "i"))
                   if not unicodedata.combining(char))


def test_matches_differ_and_non_matches_are_not_trivially_apart(
        generated: list[LabelledPair]) -> None:
    """A match written twice the same way tests nothing; a non-match must look alike: share
    a name part or the birth date's year."""
    for pair in generated:
        left, right = pair.left, pair.right
        if pair.is_match:
            assert (left.family_name, left.given_names, left.birth_date) != \
                (right.family_name, right.given_names, right.birth_date), pair.pair_id
        else:
            assert abs(left.birth_date.year - right.birth_date.year) <= 41, pair.pair_id
            assert any(SequenceMatcher(None, _plain(one), _plain(other)).ratio() >= 0.4
                       for one, other in (
                (left.family_name, right.family_name), (left.given_names, right.given_names),
            )), pair.pair_id


def test_file_numbers_carry_the_evidence_their_category_names(
        generated: list[LabelledPair]) -> None:
    for pair in generated:
        left, right = dict(pair.left.file_numbers), dict(pair.right.file_numbers)
        shared = {kind for kind in left.keys() & right.keys() if left[kind] == right[kind]}
        differing = {kind for kind in left.keys() & right.keys() if left[kind] != right[kind]}
        if pair.category == "same-file-number":
            assert shared and shared != {"job_centre"} and not differing, pair.pair_id
        elif pair.category == "household-number":
            assert shared == {"job_centre"} and not differing, pair.pair_id
        elif pair.category == "different-person-numbers":
            assert differing & {"federal_office", "central_register"} and not shared, \
                pair.pair_id
        elif pair.category == "different-household-same-person":
            assert differing == {"job_centre"} and not shared, pair.pair_id
        else:
            assert not shared and not differing, pair.pair_id


def test_every_record_is_one_intake_accepts(pairs: list[LabelledPair]) -> None:
    for pair in pairs:
        for person in (pair.left, pair.right):
            Identity.model_validate(
                {"family_name": person.family_name, "given_names": person.given_names,
                 "birth_date": person.birth_date, "birth_place": person.birth_place or None,
                 "nationalities": list(person.nationalities),
                 "file_numbers": [FileNumber(kind=kind, number=number)  # type: ignore[arg-type]
                                  for kind, number in person.file_numbers]},
                context={"today": TODAY})
            assert person.gender in ("female", "male", ""), pair.pair_id


def test_lexicons_hold_thirty_given_and_thirty_family_names_per_tradition() -> None:
    for key, tradition in TRADITIONS.items():
        assert len(tradition.given) >= 30, key
        assert tradition.family is None or len(tradition.family) >= 30, key
        if tradition.script:
            script = tradition.script.upper()
            assert all(_letters_of(name.native, script)
                       for name in (*tradition.given, *(tradition.family or ()))), key
