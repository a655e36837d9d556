"""The generator of duplicate detection's labelled evaluation set (issue 17): writes
``pairs.csv`` from the curated lexicons (:mod:`tests.intake.matching.lexicon`) and the
documented spelling rules (:mod:`tests.intake.matching.spelling`)::

    python -m tests.intake.matching.generator

It is deterministic (one seed, one random stream per category, no clock), so a second run
writes the same bytes and a test checks that the committed file is its output: the set is
changed here, reviewed as code, never edited by hand.

Why generated and not collected: real pairs of one refugee's records are personal data intake
must not copy into a repository. The pairs instead encode the practice that makes two
offices write one person differently — transliteration systems, national orthographies,
naming customs, typing and date errors — and the relations that make two people look alike:
twins, siblings with masculine and feminine forms of one name, a father and son of one name,
namesakes, a household sharing a job-centre number.

Naming practice encoded, with sources:

* Ethiopian and Eritrean names (Tigrinya, Amharic): given name + father's given name +
  grandfather's given name, no family name; passports print the father's name (sometimes with
  the grandfather's) in the surname field, and German offices record the father's name, or
  the grandfather's, or both, as family name, or take given and father's name in the other
  order.
* Somali names: the same patronymic chain; the official orthography of 1972 (x = ħ, c = ʕ,
  dh, doubled vowels long: Maxamed Cabdi Xasan) against the English-style spellings of
  Somali and Kenyan documents (Mohamed Abdi Hassan).
* Arabic names: ism + nasab (bin/ibn + father's name) + laqab/nisba as family name with the
  article al- (Al-, El-, assimilated, dropped), kunya Abu; a child often carries the
  grandfather's name, a son sometimes the father's.
* Persian/Dari: -zadeh/-zada, -i/-ei/-ee endings, Mohammad/Mohamad; Pashto: tribal names in
  -zai/-zay, -khel.
* Birth dates: where the day or month is unknown, documents of many countries record the
  1st of January of the year or the day as 01 ("00.00.1990" becomes 01.01.1990); European
  and US date order mix day and month.
* Household numbers: the job centre's BG-Nummer (Bedarfsgemeinschaft) is shared by every
  member of a household; BAMF file numbers (Aktenzeichen) and AZR numbers belong to one
  person.

The split: each category is split 50/50 into ``train`` and ``holdout`` by a seeded hash of the
pair id, so that adding a category or pairs does not move existing pairs between splits more
than the hash demands. The 216 hand-labelled pairs of the first duplicate check
(``legacy_pairs.csv``) stay in ``train``: its rules were tuned on them.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from tests.intake.matching import lexicon as lx
from tests.intake.matching import spelling as sp
from tests.intake.matching.lexicon import Name
from tests.intake.matching.pairs import PAIRS, LabelledPair, PersonRecord, load_pairs, write_pairs

SEED = 17
LEGACY = Path(__file__).with_name("legacy_pairs.csv")
#: Birth dates lie between these days: fixed, so that the set does not age with the clock.
EARLIEST_BIRTH = date(1945, 1, 1)
LATEST_BIRTH = date(2020, 12, 31)


@dataclass(frozen=True, eq=False)  # one object per tradition: hashed by identity (fast)
class Tradition:
    key: str
    given: tuple[Name, ...]
    family: tuple[Name, ...] | None  # None: the father's given name serves as family name
    script: str  # "arabic", "cyrillic", "ethiopic" or "" (Latin)
    nationalities: tuple[str, ...]
    places: tuple[tuple[str, ...], ...]  # spellings of one birth place
    file_key: str  # the BAMF country key in the Aktenzeichen format


TRADITIONS = {t.key: t for t in (
    Tradition("arabic", lx.ARABIC_GIVEN, lx.ARABIC_FAMILY, "arabic",
              ("SYR", "IRQ", "JOR", "LBN", "PSE", "SDN", "YEM"),
              (("Aleppo", "Halab", "Alep"), ("Damaskus", "Damascus", "Dimashq"),
               ("Homs", "Hims"), ("Bagdad", "Baghdad"), ("Mossul", "Mosul", "Al-Mawsil"),
               ("Deir ez-Zor", "Deir Ezzor", "Dair az-Zaur"), ("Idlib", "Idleb"),
               ("Rakka", "Raqqa", "Ar-Raqqa"), ("Khartum", "Khartoum")), "475"),
    Tradition("persian", lx.PERSIAN_GIVEN, lx.PERSIAN_FAMILY, "arabic", ("IRN", "AFG"),
              (("Teheran", "Tehran"), ("Maschhad", "Mashhad", "Meshed"), ("Herat",),
               ("Kabul",), ("Masar-e Scharif", "Mazar-i-Sharif", "Mazar-e Sharif"),
               ("Isfahan", "Esfahan"), ("Schiras", "Shiraz")), "439"),
    Tradition("pashto", lx.PASHTO_GIVEN, lx.PASHTO_FAMILY, "arabic", ("AFG", "PAK"),
              (("Kandahar", "Qandahar"), ("Dschalalabad", "Jalalabad"), ("Kundus", "Kunduz"),
               ("Ghazni", "Gasni"), ("Chost", "Khost"), ("Peschawar", "Peshawar")), "423"),
    Tradition("kurdish", lx.KURDISH_GIVEN, lx.KURDISH_FAMILY, "arabic",
              ("IRQ", "SYR", "TUR", "IRN"),
              (("Qamischli", "Qamishli", "Qamişlo"), ("Kobanê", "Kobani", "Ain al-Arab"),
               ("Afrin", "Efrîn"), ("Erbil", "Arbil", "Hewlêr"),
               ("Sulaimaniyya", "Sulaymaniyah", "Silêmanî"), ("Dohuk", "Duhok")), "438"),
    Tradition("tigrinya", lx.TIGRINYA_GIVEN, None, "ethiopic", ("ERI",),
              (("Asmara", "Asmera"), ("Keren",), ("Mendefera",), ("Massaua", "Massawa"),
               ("Dekemhare", "Dekemhari")), "224"),
    Tradition("amharic", lx.AMHARIC_GIVEN, None, "ethiopic", ("ETH",),
              (("Addis Abeba", "Addis Ababa"), ("Gondar", "Gonder"), ("Bahir Dar", "Bahirdar"),
               ("Dessie", "Dese"), ("Mekele", "Mekelle")), "225"),
    Tradition("somali", lx.SOMALI_GIVEN, None, "", ("SOM",),
              (("Mogadischu", "Mogadishu", "Muqdisho"), ("Kismayo", "Kismaayo"),
               ("Baidoa", "Baydhabo"), ("Hargeisa", "Hargeysa"), ("Beledweyne", "Beled Weyne")),
              "273"),
    Tradition("ukrainian", lx.UKRAINIAN_GIVEN, lx.UKRAINIAN_FAMILY, "cyrillic", ("UKR",),
              (("Kyjiw", "Kyiv", "Kiew", "Kiev"), ("Charkiw", "Kharkiv", "Kharkov"),
               ("Odesa", "Odessa"), ("Lwiw", "Lviv", "Lemberg"),
               ("Saporischschja", "Zaporizhzhia"), ("Mariupol",)), "166"),
    Tradition("russian", lx.RUSSIAN_GIVEN, lx.RUSSIAN_FAMILY, "cyrillic", ("RUS", "BLR", "KAZ"),
              (("Moskau", "Moscow", "Moskva"), ("Sankt Petersburg", "Saint Petersburg"),
               ("Nowosibirsk", "Novosibirsk"), ("Jekaterinburg", "Yekaterinburg"),
               ("Kasan", "Kazan")), "160"),
    Tradition("turkish", lx.TURKISH_GIVEN, lx.TURKISH_FAMILY, "", ("TUR",),
              (("Istanbul", "İstanbul"), ("Ankara",), ("Izmir", "İzmir"),
               ("Gaziantep", "Antep"), ("Diyarbakır", "Diyarbakir"),
               ("Şanlıurfa", "Sanliurfa", "Urfa")), "163"),
    Tradition("albanian", lx.ALBANIAN_GIVEN, lx.ALBANIAN_FAMILY, "", ("ALB", "RKS", "MKD"),
              (("Prishtina", "Prishtinë", "Priština", "Pristina"), ("Tirana", "Tiranë"),
               ("Prizren",), ("Shkodra", "Shkodër"), ("Gjakova", "Đakovica"),
               ("Peja", "Peć")), "150"),
    Tradition("german", lx.GERMAN_GIVEN, lx.GERMAN_FAMILY, "", ("DEU",),
              (("München", "Muenchen", "Munchen"), ("Köln", "Koeln", "Koln"),
               ("Nürnberg", "Nuernberg"), ("Düsseldorf", "Duesseldorf"), ("Berlin",),
               ("Lübeck", "Luebeck")), "000"),
)}
LATIN_VARIANT_TRADITIONS = tuple(TRADITIONS)
#: Place names whose spellings are different names (exonym/native, old/new), not variants.
HARD_PLACES = frozenset({"Halab", "Ain al-Arab", "Hewlêr", "Lemberg", "Đakovica", "Peć",
                         "Silêmanî", "Urfa", "Antep", "Dimashq", "Al-Mawsil"})


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class Part:
    """One name part of a person: its native form and its Latin spellings."""

    native: str
    spellings: tuple[tuple[str, str], ...]


@functools.cache
def spellings_of(tradition: Tradition, name: Name, *, feminine: bool = False) -> Part:
    key = tradition.key
    if key in ("ukrainian", "russian"):
        native = sp.feminine_family_name(name.native) if feminine else name.native
        cognate = (sp.feminine_family_name(name.cognate) if feminine and name.cognate
                   else name.cognate)
        return Part(native, tuple(sp.cyrillic_spellings(
            native, ukrainian=key == "ukrainian", cognate=cognate)))
    if key in ("arabic", "persian", "pashto"):
        return Part(name.native, tuple(sp.arabic_script_spellings(name)))
    rules: dict[str, Callable[[Name], sp.Spellings]] = {
        "turkish": sp.turkish_spellings, "albanian": sp.albanian_spellings,
        "kurdish": sp.kurdish_spellings, "german": sp.german_spellings}
    if key in rules:
        return Part(name.native, tuple(rules[key](name)))
    source = {"somali": "Somali", "tigrinya": "Eritrean document",
              "amharic": "Ethiopian document"}[key]
    spellings = sp.curated_spellings(name, f"{source} spelling")
    if key == "somali":
        spellings[0] = (spellings[0][0], "Somali official orthography (1972)")
    return Part(name.native, tuple(spellings))


@dataclass(frozen=True)
class Person:
    tradition: Tradition
    gender: str  # "female" | "male"
    given: Name
    family: Name  # for traditions without family names: the father's given name
    grandfather: Name | None
    birth_date: date
    nationality: str
    place: tuple[str, ...]

    def given_part(self) -> Part:
        return spellings_of(self.tradition, self.given)

    def family_part(self) -> Part:
        return spellings_of(self.tradition, self.family,
                            feminine=self.gender == "female" and self.tradition.family
                            is not None)


def _gender(name: Name) -> str:
    return {"m": "male", "f": "female"}[name.gender]


def random_date(rng: random.Random, earliest: date = EARLIEST_BIRTH,
                latest: date = LATEST_BIRTH) -> date:
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def random_person(rng: random.Random, tradition: Tradition, *, gender: str | None = None,
                  given: Name | None = None) -> Person:
    if given is None:
        candidates = [name for name in tradition.given
                      if gender is None or _gender(name) == gender]
        given = rng.choice(candidates)
    males = [name for name in tradition.given if name.gender == "m"]
    if tradition.family is None:
        family = rng.choice([name for name in males if name != given])
        grandfather: Name | None = rng.choice([name for name in males
                                               if name not in (given, family)])
    else:
        family, grandfather = rng.choice(tradition.family), None
    return Person(tradition, _gender(given), given, family, grandfather, random_date(rng),
                  rng.choice(tradition.nationalities), rng.choice(tradition.places))


def pick(rng: random.Random, part: Part, *, other_than: str = "") -> tuple[str, str]:
    choices = [entry for entry in part.spellings if entry[0] != other_than]
    return rng.choice(choices or list(part.spellings))


def two_spellings(rng: random.Random, part: Part) -> tuple[tuple[str, str], tuple[str, str]]:
    """Two different spellings of one name part (the same one twice if it has only one)."""
    first = pick(rng, part)
    return first, pick(rng, part, other_than=first[0])


# ---------------------------------------------------------------- records


def file_number(rng: random.Random, kind: str, tradition: Tradition) -> tuple[str, str]:
    """Numbers in the format of each kind: BAMF Aktenzeichen (seven digits and the BAMF
    country key), AZR number (twelve digits), the foreigners' office's file reference,
    the job centre's BG-Nummer (office, "BG", seven digits), another agency's (UNHCR)."""
    number = {
        "federal_office": f"{rng.randint(5000000, 8999999)}-{tradition.file_key}",
        "central_register": f"{rng.randint(10**11, 10**12 - 1)}",
        "foreigners_office": f"ABH-{rng.randint(2015, 2025)}-{rng.randint(10000, 99999)}",
        "job_centre": f"{rng.randint(10000, 99999)}BG{rng.randint(1000000, 9999999)}",
        "other": f"UNHCR-{rng.randint(100, 999)}-{rng.randint(10000000, 99999999)}",
    }[kind]
    return kind, number


PERSON_KINDS = ("federal_office", "central_register", "foreigners_office")


def record(person: Person, family: str, given: str, *, birth_date: date | None = None,
           place: str = "", nationalities: tuple[str, ...] | None = None,
           file_numbers: tuple[tuple[str, str], ...] = ()) -> PersonRecord:
    return PersonRecord(
        family_name=family, given_names=given,
        birth_date=birth_date or person.birth_date, gender=person.gender,
        nationalities=(person.nationality,) if nationalities is None else nationalities,
        birth_place=place, file_numbers=file_numbers)


def with_context(rng: random.Random, person: Person, left: PersonRecord, right: PersonRecord,
                 notes: list[str], *, same_person: bool,
                 numbers: bool = True) -> tuple[PersonRecord, PersonRecord]:
    """Birth place, nationality and a file number on one side, as offices record them: often
    missing on one side, a place spelt two ways, a second nationality, a number only one
    office knows."""
    roll = rng.random()
    places = person.place
    if roll < 0.35:
        left = replace(left, birth_place=places[0])
        if same_person:
            other = rng.choice(places)
            right = replace(right, birth_place=other)
            if other in HARD_PLACES or places[0] in HARD_PLACES:
                notes.append(f"place {places[0]}/{other}: hard, another name of the place")
        else:
            right = replace(right, birth_place=rng.choice(places))
    elif roll < 0.5:
        right = replace(right, birth_place=rng.choice(places))
    roll = rng.random()
    if roll < 0.15:
        right = replace(right, nationalities=())
    elif roll < 0.22 and same_person:
        second = rng.choice([code for code in ("XXA", "XXX", "DEU") if code not in
                             left.nationalities])
        right = replace(right, nationalities=(*right.nationalities, second))
    if rng.random() < 0.2 and numbers:
        kind = rng.choice((*PERSON_KINDS, "other"))
        number = file_number(rng, kind, person.tradition)
        if rng.random() < 0.5:
            left = replace(left, file_numbers=(*left.file_numbers, number))
        else:
            right = replace(right, file_numbers=(*right.file_numbers, number))
    return left, right


def _note(label: str, first: tuple[str, str], second: tuple[str, str]) -> str:
    if first[0] == second[0]:
        return ""
    return f"{label}: {first[0]} ({first[1]}) / {second[0]} ({second[1]})"


def _without(part: Part, source: str) -> Part:
    kept = tuple(entry for entry in part.spellings if not entry[1].startswith(source))
    return replace(part, spellings=kept) if kept else part


def variant_records(rng: random.Random, person: Person, notes: list[str], *,
                    require_change: bool = True,
                    skip_source: str = "") -> tuple[PersonRecord, PersonRecord]:
    """The person written twice with (where the lexicon allows) a different spelling of at
    least one name part; spellings of ``skip_source`` are left out (the Somali official
    orthography has its own category)."""
    family, given = person.family_part(), person.given_part()
    if skip_source:
        family, given = _without(family, skip_source), _without(given, skip_source)
    for _ in range(20):
        vary_family, vary_given = rng.choice(((True, False), (False, True), (True, True)))
        family_pair = two_spellings(rng, family) if vary_family else (pick(rng, family),) * 2
        given_pair = two_spellings(rng, given) if vary_given else (pick(rng, given),) * 2
        if not require_change or family_pair[0] != family_pair[1] \
                or given_pair[0] != given_pair[1]:
            break
    notes.extend(note for note in (_note("family", *family_pair), _note("given", *given_pair))
                 if note)
    return (record(person, family_pair[0][0], given_pair[0][0]),
            record(person, family_pair[1][0], given_pair[1][0]))


def varied_person(rng: random.Random, tradition: Tradition, *, skip_source: str = "") -> Person:
    """A person of whom at least one name part has two spellings (not counting those of
    ``skip_source``)."""
    while True:
        person = random_person(rng, tradition)
        parts = (person.family_part(), person.given_part())
        if skip_source:
            parts = tuple(_without(part, skip_source) for part in parts)
        if any(len(part.spellings) > 1 for part in parts):
            return person


# ---------------------------------------------------------------- match categories

Pair = tuple[PersonRecord, PersonRecord, str]
Maker = Callable[[random.Random, int], Pair]


def _finish(rng: random.Random, person: Person, left: PersonRecord, right: PersonRecord,
            notes: list[str], *, same_person: bool, numbers: bool = True) -> Pair:
    left, right = with_context(rng, person, left, right, notes, same_person=same_person,
                               numbers=numbers)
    if rng.random() < 0.5:
        left, right = right, left
    return left, right, "; ".join(notes)


def latin_variant(key: str) -> Maker:
    def make(rng: random.Random, index: int) -> Pair:
        person = varied_person(rng, TRADITIONS[key], skip_source="Somali official")
        notes: list[str] = []
        left, right = variant_records(rng, person, notes, skip_source="Somali official")
        return _finish(rng, person, left, right, notes, same_person=True)
    return make


SCRIPT_TRADITIONS = {"arabic": ("arabic",), "persian": ("persian",), "pashto": ("pashto",),
                     "kurdish": ("kurdish",), "cyrillic": ("ukrainian", "russian"),
                     "ethiopic": ("tigrinya", "amharic")}


SCRIPT_NAMES = {"arabic": "Arabic script", "persian": "Persian (Arabic script)",
                "pashto": "Pashto (Arabic script)", "kurdish": "Sorani Kurdish (Arabic script)",
                "ukrainian": "Ukrainian Cyrillic", "russian": "Russian Cyrillic",
                "tigrinya": "Tigrinya (Ethiopic)", "amharic": "Amharic (Ethiopic)"}


def script_to_latin(script: str) -> Maker:
    """One side as a passport-reading office types it (native script), the other in Latin
    letters as another office wrote it."""
    def make(rng: random.Random, index: int) -> Pair:
        tradition = TRADITIONS[SCRIPT_TRADITIONS[script][index % len(SCRIPT_TRADITIONS[script])]]
        person = random_person(rng, tradition)
        family, given = person.family_part(), person.given_part()
        latin_family, latin_given = pick(rng, family), pick(rng, given)
        notes = [f"{SCRIPT_NAMES[tradition.key]}; Latin: {latin_family[0]} ({latin_family[1]}), "
                 f"{latin_given[0]} ({latin_given[1]})"]
        native = record(person, family.native, given.native)
        latin = record(person, latin_family[0], latin_given[0])
        return _finish(rng, person, native, latin, notes, same_person=True)
    return make


def somali_orthography(rng: random.Random, index: int) -> Pair:
    """Official orthography (Maxamed Cabdi) against English-style spellings (Mohamed Abdi)."""
    tradition = TRADITIONS["somali"]
    while True:
        person = random_person(rng, tradition)
        family, given = person.family_part(), person.given_part()
        if any(len(part.spellings) > 1 and any(c in part.spellings[0][0] for c in "cxCX")
               or "aa" in part.spellings[0][0] or "uu" in part.spellings[0][0]
               or "ii" in part.spellings[0][0] for part in (family, given)):
            break
    official = record(person, family.spellings[0][0], given.spellings[0][0])
    english_family = pick(rng, family, other_than=family.spellings[0][0])
    english_given = pick(rng, given, other_than=given.spellings[0][0])
    english = record(person, english_family[0], english_given[0])
    notes = [f"official {given.spellings[0][0]} {family.spellings[0][0]} / "
             f"{english_given[0]} {english_family[0]}"]
    return _finish(rng, person, official, english, notes, same_person=True)


def ethiopian_family_name(rng: random.Random, index: int) -> Pair:
    """Given name + father's name + grandfather's name, recorded differently by two offices."""
    tradition = TRADITIONS[("tigrinya", "amharic")[index % 2]]
    person = random_person(rng, tradition)
    assert person.grandfather is not None
    given = pick(rng, person.given_part())[0]
    father = pick(rng, person.family_part())[0]
    grandfather = pick(rng, spellings_of(tradition, person.grandfather))[0]
    given_b = pick(rng, person.given_part())[0]
    father_b = pick(rng, person.family_part())[0]
    left = record(person, father, given)
    form = index % 4
    if form == 0:
        right, note = record(person, grandfather, given_b), "grandfather's name as family name"
    elif form == 1:
        right = record(person, grandfather, f"{given_b} {father_b}")
        note = "given + father's name as given names, grandfather's as family name"
    elif form == 2:
        right = record(person, f"{father_b} {grandfather}", given_b)
        note = "father's and grandfather's names as family name"
    else:
        right = record(person, given_b, father_b)
        note = "given and father's name recorded in the other order"
    return _finish(rng, person, left, right, [note], same_person=True)


def _any_tradition(index: int) -> Tradition:
    return TRADITIONS[LATIN_VARIANT_TRADITIONS[index % len(LATIN_VARIANT_TRADITIONS)]]


def swapped_names(rng: random.Random, index: int) -> Pair:
    person = varied_person(rng, _any_tradition(index))
    notes = ["family and given name swapped"]
    left, right = variant_records(rng, person, notes, require_change=rng.random() < 0.5)
    right = replace(right, family_name=right.given_names, given_names=right.family_name)
    return _finish(rng, person, left, right, notes, same_person=True)


def variant_plus_date_swap(rng: random.Random, index: int) -> Pair:
    person = varied_person(rng, _any_tradition(index))
    while person.birth_date.day > 12 or person.birth_date.day == person.birth_date.month:
        person = replace(person, birth_date=random_date(rng))
    notes = ["day and month swapped"]
    left, right = variant_records(rng, person, notes)
    swapped = date(person.birth_date.year, person.birth_date.day, person.birth_date.month)
    return _finish(rng, person, left, replace(right, birth_date=swapped), notes,
                   same_person=True)


def variant_plus_placeholder_date(rng: random.Random, index: int) -> Pair:
    person = varied_person(rng, _any_tradition(index))
    while person.birth_date.day == 1:
        person = replace(person, birth_date=random_date(rng))
    born = person.birth_date
    if rng.random() < 0.6:
        placeholder, note = date(born.year, 1, 1), "01.01. of the year (day and month unknown)"
    else:
        placeholder, note = date(born.year, born.month, 1), "day unknown: 00 recorded as 01"
    notes = [note]
    left, right = variant_records(rng, person, notes)
    return _finish(rng, person, left, replace(right, birth_date=placeholder), notes,
                   same_person=True)


#: Neighbouring keys on a German (QWERTZ) keyboard, and what OCR misreads for what.
QWERTZ = ["qwertzuiopü", "asdfghjklöä", "yxcvbnm"]
OCR = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"),
       ("li", "h"), ("h", "li"), ("e", "c"), ("c", "e"), ("n", "ri"), ("I", "l"), ("l", "I"))


def _neighbours(char: str) -> str:
    for row_index, row in enumerate(QWERTZ):
        column = row.find(char)
        if column >= 0:
            around = row[max(column - 1, 0):column] + row[column + 1:column + 2]
            for other in (row_index - 1, row_index + 1):
                if 0 <= other < len(QWERTZ):
                    around += QWERTZ[other][max(column - 1, 0):column + 1]
            return around
    return ""


def typo(rng: random.Random, name: str) -> tuple[str, str]:
    """One keyboard or OCR error: a neighbouring key, two letters swapped, a letter left out
    or doubled, or an OCR confusion (rn/m, cl/d, vv/w)."""
    while True:
        kind = rng.choice(("neighbour", "swap", "omit", "double", "ocr"))
        position = rng.randrange(1, len(name))  # the first letter is usually right
        char = name[position]
        if not char.isalpha():
            continue
        if kind == "neighbour" and _neighbours(char.lower()):
            result = name[:position] + rng.choice(_neighbours(char.lower())) \
                + name[position + 1:]
        elif kind == "swap" and position + 1 < len(name) and name[position + 1].isalpha() \
                and name[position + 1] != char:
            result = name[:position] + name[position + 1] + char + name[position + 2:]
        elif kind == "omit":
            result = name[:position] + name[position + 1:]
        elif kind == "double":
            result = name[:position] + char + name[position:]
        elif kind == "ocr":
            found = [(old, new) for old, new in OCR if old in name[1:]]
            if not found:
                continue
            old, new = rng.choice(found)
            at = name.index(old, 1)
            result = name[:at] + new + name[at + len(old):]
        else:
            continue
        if result != name:
            return result, kind


def two_typos(rng: random.Random, index: int) -> Pair:
    person = random_person(rng, _any_tradition(index))
    family, given = pick(rng, person.family_part())[0], pick(rng, person.given_part())[0]
    in_family = len(family) >= 5 and (len(given) < 5 or rng.random() < 0.5)
    target = family if in_family else given
    first, kind_one = typo(rng, target)
    second, kind_two = typo(rng, first)
    while second == target:
        second, kind_two = typo(rng, first)
    left = record(person, family, given)
    right = record(person, second, given) if in_family else record(person, family, second)
    notes = [f"two typos in the {'family' if in_family else 'given'} name ({kind_one}, "
             f"{kind_two}): {target} / {second}"]
    return _finish(rng, person, left, right, notes, same_person=True)


WITH_FAMILY_NAMES = tuple(key for key, tradition in TRADITIONS.items()
                          if tradition.family is not None)


def extra_given_name(rng: random.Random, index: int) -> Pair:
    """A second given name, an Arabic nasab (bin/bint + father's name) or a Russian or
    Ukrainian patronymic, written by one office and not by the other. (Traditions without
    family names have their own category for the father's name: ethiopian-family-name.)"""
    tradition = TRADITIONS[WITH_FAMILY_NAMES[index % len(WITH_FAMILY_NAMES)]]
    person = random_person(rng, tradition)
    notes: list[str] = []
    left, right = variant_records(rng, person, notes, require_change=rng.random() < 0.3)
    if tradition.key == "arabic" and rng.random() < 0.4:
        father = pick(rng, spellings_of(tradition, rng.choice(
            [name for name in tradition.given if name.gender == "m"])))[0]
        particle = rng.choice(("bin", "ibn", "Bin") if person.gender == "male"
                              else ("bint", "Bint"))
        extra = f"{right.given_names} {particle} {father}"
        notes.append(f"nasab added: {particle} {father}")
    elif tradition.key in ("russian", "ukrainian"):
        patronymics = lx.RUSSIAN_PATRONYMICS if tradition.key == "russian" \
            else lx.UKRAINIAN_PATRONYMICS
        native = rng.choice(patronymics)[0 if person.gender == "male" else 1]
        patronymic, source = rng.choice(sp.cyrillic_spellings(
            native, ukrainian=tradition.key == "ukrainian"))
        extra = f"{right.given_names} {patronymic}"
        notes.append(f"patronymic added: {patronymic} ({source})")
    else:
        second = rng.choice([name for name in tradition.given
                             if name.gender == person.given.gender and name != person.given])
        extra = f"{right.given_names} {pick(rng, spellings_of(tradition, second))[0]}"
        notes.append("second given name added")
    return _finish(rng, person, left, replace(right, given_names=extra), notes,
                   same_person=True)


def same_file_number(rng: random.Random, index: int) -> Pair:
    person = varied_person(rng, _any_tradition(index))
    notes: list[str] = []
    left, right = variant_records(rng, person, notes)
    if rng.random() < 0.3:
        born = person.birth_date
        right = replace(right, birth_date=date(born.year, 1, 1))
        notes.append("and a 01.01. placeholder date")
    kind = rng.choice(PERSON_KINDS)
    number = file_number(rng, kind, person.tradition)
    notes.append(f"equal {kind} number")
    left, right, note = _finish(rng, person, left, right, notes, same_person=True,
                                numbers=False)
    return (replace(left, file_numbers=(*left.file_numbers, number)),
            replace(right, file_numbers=(*right.file_numbers, number)), note)


def different_household_same_person(rng: random.Random, index: int) -> Pair:
    """One person in two households (moved out of the parents', a new partner): two different
    BG-Nummern, which say nothing against the match."""
    person = varied_person(rng, _any_tradition(index))
    notes = ["two different job_centre (household) numbers"]
    left, right = variant_records(rng, person, notes)
    left, right, note = _finish(rng, person, left, right, notes, same_person=True,
                                numbers=False)
    return (replace(left, file_numbers=(file_number(rng, "job_centre", person.tradition),)),
            replace(right, file_numbers=(file_number(rng, "job_centre", person.tradition),)),
            note)


# ---------------------------------------------------------------- non-match categories


@functools.cache
def _shares_spelling(tradition: Tradition, one: Name, other: Name) -> bool:
    first = {s for s, _ in spellings_of(tradition, one).spellings}
    return bool(first & {s for s, _ in spellings_of(tradition, other).spellings})


def near_given_names(tradition: Tradition) -> list[tuple[Name, Name]]:
    """Pairs of different given names that look alike (Rana/Rania, Hasan/Husain)."""
    pairs = []
    for i, one in enumerate(tradition.given):
        for other in tradition.given[i + 1:]:
            a, b = one.spellings[0] if one.spellings else one.native, \
                other.spellings[0] if other.spellings else other.native
            if difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.7 \
                    and not _shares_spelling(tradition, one, other):
                pairs.append((one, other))
    return pairs


_NEAR = {key: near_given_names(tradition) for key, tradition in TRADITIONS.items()}


def near_given_names_of(tradition: Tradition, given: Name) -> list[Name]:
    return [b if a == given else a for a, b in _NEAR[tradition.key] if given in (a, b)]


def sibling_birth_date(rng: random.Random, born: date, *, years: int) -> date:
    """A sibling's birth date: at least ten months and at most ``years`` years apart."""
    offset = timedelta(days=rng.randint(300, years * 365))
    earlier, later = born - offset, born + offset
    if later > LATEST_BIRTH:
        return earlier
    if earlier < EARLIEST_BIRTH:
        return later
    return rng.choice((earlier, later))


def _sibling_name(rng: random.Random, person: Person, *, near: bool) -> Name:
    """Another given name of the tradition; one that looks like the person's if ``near`` and
    the lexicon has one."""
    tradition = person.tradition
    near_names = near_given_names_of(tradition, person.given)
    if near and near_names:
        return rng.choice(near_names)
    return rng.choice([name for name in tradition.given if name != person.given
                       and not _shares_spelling(tradition, name, person.given)
                       and name != person.family])


def _relative(person: Person, given: Name, birth_date: date) -> Person:
    return replace(person, given=given, gender=_gender(given), birth_date=birth_date)


def _two_people(rng: random.Random, one: Person, two: Person, notes: list[str],
                *, family_variant: bool = True,
                extra: tuple[tuple[str, str], ...] = ()) -> Pair:
    family_one, family_two = two_spellings(rng, one.family_part()) if family_variant \
        and rng.random() < 0.4 else (pick(rng, one.family_part()),) * 2
    if one.family_part().native != two.family_part().native:  # feminine form
        family_two = pick(rng, two.family_part())
    left = record(one, family_one[0], pick(rng, one.given_part())[0])
    right = record(two, family_two[0], pick(rng, two.given_part())[0])
    left, right = with_context(rng, one, left, right, notes, same_person=False,
                               numbers=not extra)
    if extra:
        left = replace(left, file_numbers=(*left.file_numbers, extra[0]))
        right = replace(right, file_numbers=(*right.file_numbers, extra[-1]))
    if rng.random() < 0.5:
        left, right = right, left
    return left, right, "; ".join(notes)


def twins(rng: random.Random, index: int) -> Pair:
    person = random_person(rng, _any_tradition(index))
    near = rng.random() < 0.6 and bool(near_given_names_of(person.tradition, person.given))
    other = _relative(person, _sibling_name(rng, person, near=near), person.birth_date)
    notes = [f"twins {person.given_part().spellings[0][0]} / "
             f"{other.given_part().spellings[0][0]}" + (" (names alike)" if near else "")]
    left, right, note = _two_people(rng, person, other, notes)
    return left, replace(right, birth_place=left.birth_place), note


def _gendered_pairs(tradition: Tradition) -> list[tuple[Name, Name]]:
    pairs = []
    for male in (name for name in tradition.given if name.gender == "m"):
        for female in (name for name in tradition.given if name.gender == "f"):
            m, f = (male.native, female.native) if male.native else \
                (male.spellings[0], female.spellings[0])
            if f.startswith(m) and 0 < len(f) - len(m) <= 2 \
                    or m.endswith("ий") and f == m[:-2] + "ия":  # Евгений/Евгения
                pairs.append((male, female))
    return pairs


_GENDERED = [(tradition, male, female) for tradition in TRADITIONS.values()
             for male, female in _gendered_pairs(tradition)]


def opposite_sex_siblings(rng: random.Random, index: int) -> Pair:
    """Masculine and feminine forms of one name (Samir/Samira, Oleksandr/Oleksandra)."""
    tradition, male, female = _GENDERED[index % len(_GENDERED)]
    brother = random_person(rng, tradition, given=male)
    born = brother.birth_date if rng.random() < 0.4 else \
        sibling_birth_date(rng, brother.birth_date, years=6)
    sister = _relative(brother, female, born)
    notes = [f"brother {male.spellings[0] if male.spellings else male.native} and sister "
             f"{female.spellings[0] if female.spellings else female.native}"
             + (", twins" if born == brother.birth_date else "")]
    return _two_people(rng, brother, sister, notes)


def parent_child_same_name(rng: random.Random, index: int) -> Pair:
    keys = [key for key, tradition in TRADITIONS.items() if tradition.family is not None]
    tradition = TRADITIONS[keys[index % len(keys)]]
    parent = random_person(rng, tradition, gender=rng.choice(("male", "female")))
    parent = replace(parent, birth_date=random_date(rng, EARLIEST_BIRTH, date(1979, 12, 31)))
    years = rng.randint(20, 40)
    child_born = random_date(rng, parent.birth_date + timedelta(days=years * 365),
                             parent.birth_date + timedelta(days=years * 365 + 300))
    child = replace(parent, birth_date=min(child_born, LATEST_BIRTH))
    notes = [f"parent and child of one name, born {years} years apart"]
    return _two_people(rng, parent, child, notes, family_variant=rng.random() < 0.3)


def namesakes(rng: random.Random, index: int) -> Pair:
    tradition = _any_tradition(index)
    one = random_person(rng, tradition)
    if rng.random() < 0.15:
        # The lexicons list the commonest names first (Muhammad, Ahmad, Ali …).
        males = [name for name in tradition.given if name.gender == "m"]
        common = rng.choice(males[:5])
        family = rng.choice(tradition.family[:5] if tradition.family else
                            [name for name in males[:6] if name != common])
        one = replace(one, given=common, gender="male", family=family,
                      birth_date=date(one.birth_date.year, 1, 1))
        places = [place for place in tradition.places if place != one.place] or [one.place]
        two = replace(one, place=rng.choice(places),
                      nationality=rng.choice(tradition.nationalities))
        notes = ["same common name and the same 01.01. birthday by chance, another place"]
        left, right, note = _two_people(rng, one, two, notes)
        return (replace(left, birth_place=one.place[0]),
                replace(right, birth_place=two.place[-1]), note)
    decade = one.birth_date.year // 10 * 10
    born = random_date(rng, date(decade, 1, 1), min(date(decade + 9, 12, 31), LATEST_BIRTH))
    while born == one.birth_date:
        born = random_date(rng, date(decade, 1, 1), date(decade + 9, 12, 31))
    two = replace(one, birth_date=born, place=rng.choice(tradition.places))
    notes = ["namesakes born in the same decade"]
    near = near_given_names_of(tradition, one.given)
    if near and rng.random() < 0.3:
        two = _relative(two, rng.choice(near), born)
        notes = ["near namesakes born in the same decade"]
    return _two_people(rng, one, two, notes)


def household_number(rng: random.Random, index: int) -> Pair:
    """Two people of one household share its BG-Nummer: siblings or parent and child."""
    person = random_person(rng, _any_tradition(index))
    number = file_number(rng, "job_centre", person.tradition)
    if rng.random() < 0.7:
        given = _sibling_name(rng, person, near=rng.random() < 0.5)
        born = sibling_birth_date(rng, person.birth_date, years=8)
        other = _relative(person, given, born)
        notes = ["siblings of one household, equal job_centre number"]
    else:
        person = replace(person, birth_date=random_date(rng, EARLIEST_BIRTH,
                                                        date(1980, 12, 31)))
        other = _relative(person, _sibling_name(rng, person, near=False),
                          person.birth_date + timedelta(days=rng.randint(20, 35) * 365))
        notes = ["parent and child of one household, equal job_centre number"]
    return _two_people(rng, person, other, notes, extra=(number,))


def different_person_numbers(rng: random.Random, index: int) -> Pair:
    """Similar names, one birth year, and two different person-level numbers of one kind."""
    tradition = _any_tradition(index)
    one = random_person(rng, tradition)
    year = one.birth_date.year
    born = random_date(rng, date(year, 1, 1), date(year, 12, 31))
    while born == one.birth_date:
        born = random_date(rng, date(year, 1, 1), date(year, 12, 31))
    two = replace(one, birth_date=born)
    if rng.random() < 0.3:
        two = _relative(two, _sibling_name(rng, one, near=True), born)
    kind = rng.choice(("federal_office", "central_register"))
    numbers = (file_number(rng, kind, tradition), file_number(rng, kind, tradition))
    notes = [f"two different {kind} numbers"]
    return _two_people(rng, one, two, notes, extra=numbers)


@dataclass(frozen=True)
class MinimalPair:
    """Two different names that differ only in a letter a naive folding merges."""

    tradition: str
    one: tuple[str, str, str]  # (Latin, native, gender m/f)
    two: tuple[str, str, str]
    letters: str


#: Distinct in the source script, merged by folding: ح/ه (Ḥ/H), ت/ث (t/th), ز/س (z/s),
#: the long vowel that makes Samer (سامر) and Samir (سمير) two names (e/i).
MINIMAL_PAIRS = (
    MinimalPair("arabic", ("Samer", "سامر", "m"), ("Samir", "سمير", "m"), "e/i: سامر vs سمير"),
    MinimalPair("arabic", ("Amer", "عامر", "m"), ("Amir", "أمير", "m"), "e/i: عامر vs أمير"),
    MinimalPair("arabic", ("Hamed", "حامد", "m"), ("Hamid", "حميد", "m"), "e/i: حامد vs حميد"),
    MinimalPair("arabic", ("Tamer", "تامر", "m"), ("Thamer", "ثامر", "m"), "t/th: ت vs ث"),
    MinimalPair("arabic", ("Zaid", "زيد", "m"), ("Said", "سعيد", "m"), "z/s: زيد vs سعيد"),
    MinimalPair("arabic", ("Nasim", "نسيم", "m"), ("Nazim", "ناظم", "m"), "s/z: نسيم vs ناظم"),
    MinimalPair("arabic", ("Hala", "هالة", "f"), ("Hala", "حلا", "f"), "h/ḥ: هالة vs حلا"),
    MinimalPair("arabic", ("Hana", "هنا", "f"), ("Ḥanna", "حنا", "m"), "h/ḥ: هنا vs حنا"),
    MinimalPair("arabic", ("Hamsa", "همسة", "f"), ("Hamza", "حمزة", "m"),
                "h/ḥ and s/z: همسة vs حمزة"),
    MinimalPair("persian", ("Sara", "سارا", "f"), ("Zara", "زارا", "f"), "s/z: سارا vs زارا"),
)


def letter_folding(rng: random.Random, index: int) -> Pair:
    """Two people of one family whose names differ only in a letter distinct in the source
    script; the pair is sometimes typed in that script (where it is the only difference)."""
    minimal = MINIMAL_PAIRS[index % len(MINIMAL_PAIRS)]
    tradition = TRADITIONS[minimal.tradition]
    person = random_person(rng, tradition, gender="male" if minimal.one[2] == "m" else "female")
    family = person.family_part()
    twins_born = rng.random() < 0.5
    born = person.birth_date if twins_born else \
        sibling_birth_date(rng, person.birth_date, years=5)
    native = minimal.one[0] == minimal.two[0] or rng.random() < 0.25
    family_text = family.native if native else pick(rng, family)[0]
    index_one, index_two = (1, 1) if native else (0, 0)
    left = replace(record(person, family_text, minimal.one[index_one]),
                   gender="male" if minimal.one[2] == "m" else "female")
    right = replace(record(person, family_text, minimal.two[index_two], birth_date=born),
                    gender="male" if minimal.two[2] == "m" else "female")
    notes = [f"{minimal.letters}" + ("; twins" if twins_born else "; siblings")
             + ("; typed in Arabic script" if native else "")]
    left, right = with_context(rng, person, left, right, notes, same_person=False)
    if rng.random() < 0.5:
        left, right = right, left
    return left, right, "; ".join(notes)


# ---------------------------------------------------------------- the set

MATCH_CATEGORIES: dict[str, tuple[Maker, int]] = {
    **{f"latin-variant-{key}": (latin_variant(key), 80) for key in LATIN_VARIANT_TRADITIONS},
    **{f"script-to-latin-{script}": (script_to_latin(script), 80)
       for script in SCRIPT_TRADITIONS},
    "somali-orthography": (somali_orthography, 80),
    "ethiopian-family-name": (ethiopian_family_name, 80),
    "swapped-names": (swapped_names, 80),
    "variant-plus-date-swap": (variant_plus_date_swap, 80),
    "variant-plus-placeholder-date": (variant_plus_placeholder_date, 80),
    "two-typos": (two_typos, 80),
    "extra-given-name": (extra_given_name, 80),
    "same-file-number": (same_file_number, 80),
    "different-household-same-person": (different_household_same_person, 80),
}
NON_MATCH_CATEGORIES: dict[str, tuple[Maker, int]] = {
    "twins": (twins, 120),
    "opposite-sex-siblings": (opposite_sex_siblings, 120),
    "parent-child-same-name": (parent_child_same_name, 120),
    "namesakes": (namesakes, 120),
    "household-number": (household_number, 120),
    "different-person-numbers": (different_person_numbers, 120),
    "letter-folding": (letter_folding, 80),
}


def _category_rng(category: str) -> random.Random:
    digest = hashlib.sha256(f"{SEED}:{category}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def split_order(pair_id: str) -> str:
    return hashlib.sha256(f"{SEED}:split:{pair_id}".encode()).hexdigest()


def generate() -> list[LabelledPair]:
    """The legacy pairs (train), then every category's generated pairs, split per category."""
    pairs = load_pairs(LEGACY)
    for label, categories in (("match", MATCH_CATEGORIES),
                              ("non_match", NON_MATCH_CATEGORIES)):
        for category, (make, count) in categories.items():
            rng = _category_rng(category)
            made = []
            for index in range(count):
                left, right, note = make(rng, index)
                made.append(LabelledPair(f"{category}-{index:03d}", "", category, label,
                                         left, right, note))
            holdout = {pair.pair_id for pair in
                       sorted(made, key=lambda pair: split_order(pair.pair_id))[: count // 2]}
            pairs += [replace(pair, split="holdout" if pair.pair_id in holdout else "train")
                      for pair in made]
    return pairs


def main() -> None:
    pairs = generate()
    write_pairs(pairs, PAIRS)
    print(f"{len(pairs)} pairs written to {PAIRS}")


if __name__ == "__main__":
    main()
