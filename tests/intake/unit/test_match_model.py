"""The match model's parts: script-aware name forms, comparison levels, blocking keys, and
the weights training gives them — on small fixtures of their own (the labelled set is for
training and acceptance, tests/intake/unit/test_duplicate_detection.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ankommen.intake.adapters.crypto import BlindIndex
from ankommen.intake.domain.match_model import MODEL_PATH, MatchModel, probability
from ankommen.intake.domain.matching import Comparable, blocking_keys, compare, skeleton
from tests.intake.matching.evaluate import (
    END,
    START,
    evaluate,
    reaches_scoring,
    report,
    write_docs,
)
from tests.intake.matching.pairs import LabelledPair, PersonRecord, load_pairs
from tests.intake.matching.train import comparable, render, train

DAY = date(1990, 3, 4)


def record(family: str, given: str, birth: date = DAY, **evidence) -> Comparable:
    return Comparable.of(family, given, birth, **evidence)


def test_committed_model_is_what_training_on_the_train_split_gives():
    """Retrain with ``python -m tests.intake.matching.train`` after the pairs change."""
    assert json.loads(MODEL_PATH.read_text(encoding="utf-8")) == json.loads(
        render(train(load_pairs(split="train"))))


@pytest.mark.parametrize(("left", "right"), [
    (("الحسن", "محمد"), ("Al-Hassan", "Mohammed")),
    (("حسين", "فاطمة"), ("Hussein", "Fatima")),
    (("حسینی", "زهرا"), ("Hosseini", "Zahra")),
    (("Мухаммедов", "Юсуф"), ("Mukhammedov", "Yusuf")),
    (("Шевченко", "Олександр"), ("Schewtschenko", "Oleksandr")),
    (("Бондаренко", "Сергій"), ("Bondarenko", "Serhii")),  # Ukrainian г = h
    (("ገብረመድህን", "ሰናይት"), ("Gebremedhin", "Senait")),
    (("Xasan", "Maxamed Cali"), ("Hassan", "Mohamed Ali")),  # Somali x and c
    (("عبد الرحمن", "أحمد"), ("Abdul Rahman", "Ahmad")),
    (("Абдулрахман", "Ахмед"), ("Abd al-Rahman", "Ahmed")),
    (("رضایی", "مصطفی"), ("Rezaei", "Mostafa")),  # Persian final ی as alef maqsura
    (("کاظمی", "مرتضی"), ("Kazemi", "Morteza")),  # and ض read z
    (("نورزی", "ایمل"), ("Noorzai", "Aimal")),  # initial alef without hamza before ی
])
def test_names_in_another_script_or_orthography_agree_with_their_latin_spelling(left, right):
    levels = compare(record(*left), record(*right))
    assert levels["family"] in ("exact", "skeleton")
    assert levels["given"] in ("exact", "skeleton")
    assert reaches_scoring(record(*left), record(*right))


@pytest.mark.parametrize(("one", "other"), [
    ("Samir", "Samira"),  # masculine and feminine form: Arabic script writes the ending
    ("Ivanov", "Ivanova"),
    ("Sin", "Shin"),  # س and ش
    ("Rana", "Rania"),  # رنا and رانيا
])
def test_skeleton_keeps_letters_that_separate_names(one, other):
    assert skeleton(one.lower()) != skeleton(other.lower())


@pytest.mark.parametrize(("one", "other"), [("Zaid", "Said"), ("Nazim", "Nasim")])
def test_z_and_s_stay_two_letters_in_latin_names(one, other):
    # زيد and سعيد, ناظم and نسيم: German transliteration of Cyrillic writes з as s, but
    # reading every s as z merged these names.
    assert compare(record("Hussein", one), record("Hussein", other))["given"] not in (
        "exact", "skeleton")


def test_names_typed_in_capitals_are_the_same_name():
    assert compare(record("KHALIL", "FATIMA"), record("Khalil", "Fatima"))[
        "family"] == "exact"


def test_two_latin_spellings_differing_in_their_vowels_are_not_one_skeleton_level():
    # Hossein and Hassan are two names; their consonants agree.
    assert compare(record("Hosseini", "Hossein"),
                   record("Hosseini", "Hassan"))["given"] not in ("exact", "skeleton")


@pytest.mark.parametrize(("one", "other"), [
    ("حلا", "هالة"),  # ح and ه: both "Hala" in Latin letters
    ("سارا", "زارا"),  # Sara and Zara
    ("ثامر", "تامر"),  # Thamer and Tamer
    ("عامر", "أمير"),  # Amer and Amir
    ("حميد", "حامد"),  # Hamid and Hamed
])
def test_two_names_in_arabic_script_keep_the_letters_that_make_them_two_names(one, other):
    levels = compare(record("الحسن", one), record("الحسن", other))
    assert (levels["family"], levels["given"]) == ("exact", "else")


@pytest.mark.parametrize(("one", "other", "level"), [
    ("فاطمة", "فاطمه", "exact"),  # ta marbuta and ha
    ("أحمد", "احمد", "exact"),  # alef with and without hamza
    ("علی", "علي", "exact"),  # Persian and Arabic ye
    ("عبد الله", "عبدالله", "exact"),
    ("محمد", "محمد علي", "subset"),
])
def test_spellings_of_one_name_in_arabic_script_stay_one_name(one, other, level):
    assert compare(record("الحسن", one), record("الحسن", other))["given"] == level


@pytest.mark.parametrize(("left", "right", "level"), [
    (DAY, date(1990, 4, 3), "day_month_swapped"),
    (DAY, date(1990, 1, 1), "placeholder"),
    (DAY, date(1990, 3, 1), "day_placeholder"),  # day unknown: 00 written as 01
    (date(1990, 1, 1), date(1990, 1, 1), "exact_placeholder"),
    (DAY, date(1990, 3, 7), "one_digit"),
    (DAY, date(1991, 3, 4), "year_off_by_one"),
    (DAY, date(1960, 3, 4), "year_digit"),
    (DAY, date(1977, 8, 9), "else"),
])
def test_birth_date_levels(left, right, level):
    assert compare(record("Karimi", "Ali", left), record("Karimi", "Ali", right))[
        "birth_date"] == level


def test_swapped_family_and_given_name_are_compared_swapped():
    levels = compare(record("Karimi", "Ali"), record("Ali", "Karimi"))
    assert (levels["family"], levels["given"], levels["order"]) == ("exact", "exact", "swapped")


def test_father_name_recorded_as_family_name_is_found_in_the_other_field():
    levels = compare(record("Gebremedhin", "Abeba Tesfaye"), record("Tesfaye", "Abeba"))
    assert levels["family"] == "other_field"


def test_file_numbers_count_by_kind():
    bamf = [("federal_office", "7654321-123")]
    assert compare(record("A", "B", file_numbers=bamf), record(
        "C", "D", file_numbers=[("federal_office", "7654321 123")]))[
        "file_number"] == "person_equal"
    assert compare(record("A", "B", file_numbers=bamf), record(
        "A", "B", file_numbers=[("federal_office", "1111111-999")]))[
        "file_number"] == "person_different"
    household = [("job_centre", "123BG4567")]
    assert compare(record("A", "B", file_numbers=household), record(
        "A", "C", file_numbers=household))["file_number"] == "household_equal"


def test_blocking_survives_a_variant_in_each_single_field():
    person = record("Al-Hassan", "Mohammed")
    for variant in (record("Alhasan", "Muhammad"), record("Al-Hassan", "Mohammed",
                                                          date(1990, 4, 3)),
                    record("Al-Hassan", "Mohammed", date(1991, 3, 4)),
                    record("Mohammed", "Al-Hassan"), record("Hassan", "Mohammed Ali"),
                    record("Al-Hasan", "Mohamed", date(1990, 1, 1))):
        assert blocking_keys(person) & blocking_keys(variant)


def test_blocking_survives_a_variant_in_both_names():
    assert blocking_keys(record("Tekle", "Haymanot")) & blocking_keys(
        record("Tecle", "Haymaiot"))


def test_blocking_keys_are_stored_only_as_keyed_hashes():
    keys = blocking_keys(record("Karimi", "Ali", date(2001, 5, 30)))
    assert BlindIndex(b"k" * 32).digests(keys) != BlindIndex(b"j" * 32).digests(keys)
    assert not any("krm" in digest for digest in BlindIndex(b"k" * 32).digests(keys))


def _pair(number: int, label: str, left: PersonRecord, right: PersonRecord) -> LabelledPair:
    return LabelledPair(f"t-{number}", "train", "fixture", label, left, right)


def _fixture_pairs() -> list[LabelledPair]:
    """A small labelled set with evidence beyond names: people registered twice with a
    spelling variant (same gender, same person-level number where they have one),
    opposite-sex twins, brothers with different BAMF numbers, household members sharing a
    job-centre number."""
    pairs = []
    families = ["Karimi", "Haidari", "Ahmadi", "Nasser", "Saleh", "Rahimi", "Sultani",
                "Hosseini", "Jafari", "Mansour"]
    for index, family in enumerate(families):
        born = date(1980 + index, 1 + index, 10 + index)
        bamf = ("federal_office", f"{7000000 + index}-1")
        pairs.append(_pair(len(pairs), "match", PersonRecord(
            family, "Samir", born, "male", file_numbers=(bamf,)), PersonRecord(
            family + "i" if index % 2 else family, "Sameer", born, "male",
            file_numbers=(bamf,))))
        pairs.append(_pair(len(pairs), "match", PersonRecord(family, "Mohammed", born, "male"),
                           PersonRecord(family, "Muhammad", born, "")))
        pairs.append(_pair(len(pairs), "non_match", PersonRecord(
            family, "Samir", born, "male"), PersonRecord(family, "Samira", born, "female")))
        pairs.append(_pair(len(pairs), "non_match", PersonRecord(
            family, "Omar", born, "male", file_numbers=(bamf,)), PersonRecord(
            family, "Omar", born, "male", file_numbers=(("federal_office",
                                                         f"{8000000 + index}-1"),))))
        household = ("job_centre", f"{index}BG4567")
        pairs.append(_pair(len(pairs), "non_match", PersonRecord(
            family, "Ali", born, "male", file_numbers=(household,)), PersonRecord(
            family, "Aliya", date(1980 + index, 2, 3), "female",
            file_numbers=(household,))))
        pairs.append(_pair(len(pairs), "match", PersonRecord(
            family, "Ali", born, "male", file_numbers=(household,)), PersonRecord(
            family, "Ali", date(born.year, born.day, born.month) if born.day <= 12 else born,
            "male", file_numbers=(household,))))
    return pairs


@pytest.fixture(scope="module")
def fixture_model() -> MatchModel:
    return MatchModel.from_data(train(_fixture_pairs()))


def test_trained_weights_count_gender_and_file_numbers_by_kind(fixture_model: MatchModel):
    weights = fixture_model.weights
    assert weights["gender"]["different"] < -1
    assert weights["file_number"]["person_different"] < -1
    assert weights["file_number"]["person_equal"] > weights["file_number"]["household_equal"]


def test_opposite_sex_twins_and_brothers_with_their_own_numbers_are_not_flagged(
        fixture_model: MatchModel):
    born = date(1994, 6, 7)
    samir = record("Darwish", "Samir", born, gender="male")
    assert not fixture_model.is_possible_duplicate(fixture_model.weight(
        samir, record("Darwish", "Samira", born, gender="female")))
    omar = record("Darwish", "Omar", born, gender="male",
                  file_numbers=[("federal_office", "5555555-1")])
    assert not fixture_model.is_possible_duplicate(fixture_model.weight(
        omar, record("Darwish", "Omar", born, gender="male",
                      file_numbers=[("federal_office", "6666666-1")])))
    assert fixture_model.is_possible_duplicate(fixture_model.weight(
        samir, record("Darwish", "Sameer", born, gender="male")))


def test_household_number_alone_is_weak(fixture_model: MatchModel):
    household = [("job_centre", "99BG1234")]
    father = record("Darwish", "Ali", date(1970, 2, 3), gender="male", file_numbers=household)
    daughter = record("Darwish", "Aliya", date(2001, 9, 8), gender="female",
                      file_numbers=household)
    assert not fixture_model.is_possible_duplicate(fixture_model.weight(father, daughter))


def test_score_is_a_probability_and_only_a_file_number_makes_it_one():
    assert probability(0) == 0.5
    assert 0 <= probability(-200) < probability(3) < probability(200) < 1


def test_labelled_records_become_comparable_records():
    person = PersonRecord("Al-Hassan", "Mohammed", DAY, "male", ("SYR",), "Aleppo",
                          (("federal_office", "123-4"),))
    assert comparable(person) == record("Al-Hassan", "Mohammed", gender="male",
                                        nationalities=["SYR"], birth_place="Aleppo",
                                        file_numbers=[("federal_office", "1234")])


def test_evaluation_reports_per_category_and_writes_between_the_markers(
        fixture_model: MatchModel, tmp_path):
    result = evaluate(_fixture_pairs(), "train", fixture_model)
    assert result.blocking_recall == 1.0
    assert result.recall == 1.0
    assert result.precision == 1.0
    assert set(result.categories) == {("fixture", "match"), ("fixture", "non_match")}
    document = tmp_path / "intake.md"
    document.write_text(f"# Intake\n\n{START}\nold figures\n{END}\n\nafter\n", encoding="utf-8")
    write_docs(report(result), document)
    written = document.read_text(encoding="utf-8")
    assert "old figures" not in written
    assert "recall 1.000, precision 1.000" in written
    assert "| fixture | non_match | 30 | 0 | 0.000 (false positives) |" in written
    assert written.endswith(f"{END}\n\nafter\n")


@pytest.mark.parametrize("name", ["A", "Ah", "a-", "ه", "ا", "'", "Ъ", "\u200c", "Ol' Dirty"])
def test_any_short_or_odd_name_is_compared_without_error(name):
    odd = record(name, name)
    assert set(compare(odd, record("Karimi", "Ali"))) == set(
        ("family", "given", "order", "birth_date", "gender", "nationality", "birth_place",
         "file_number"))
    assert isinstance(blocking_keys(odd), set)
