"""Recognising a person who is already known (*Dublettenerkennung*), without searchable
plaintext.

The same person reaches intake spelled differently by each office: "Mohammed Al-Hassan" at the
foreigners' office, "Muhammad Alhasan" at migration counselling. Matching therefore runs on
*normalised* names (transliterated to Latin, particles and common transliteration variants
folded), their Kölner Phonetik codes, and the birth date.

Two stages, because intake may only store keyed hashes of identity parts:

1. :func:`index_terms` — short strings (phonetic codes with the birth date or year) that two
   spellings of one person share. The adapter stores only their HMAC (blind indexes); an equal
   hash makes an existing case a *candidate*.
2. :func:`match_score` — candidates are decrypted and scored: Jaro-Winkler similarity of the
   normalised names and agreement of the birth dates. A score from :data:`DUPLICATE_THRESHOLD`
   up is a likely duplicate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from anyascii import anyascii
from cologne_phonetics import encode as cologne_encode
from rapidfuzz.distance import Indel

from ankommen.intake.domain.identity import Identity

#: Articles, patronymic and nobiliary particles that one office writes and the next drops.
PARTICLES = frozenset({
    "al", "el", "ul", "il", "ad", "ed", "as", "es", "ash", "esh", "at", "az", "an", "ar",
    "ben", "bin", "bint", "ibn", "abu", "abou", "bou", "ould", "ait",
    "van", "von", "der", "den", "de", "da", "di", "du", "la", "le", "zu", "ter", "ten",
})

#: Abbreviations on Syrian and Egyptian documents that stand for a full name.
ABBREVIATIONS = {"mhd": "muhammad", "mohd": "muhammad", "muhd": "muhammad", "md": "muhammad"}

#: Transliteration variants folded to one spelling; order matters (longest first).
REWRITES: tuple[tuple[str, str], ...] = (
    ("dsch", "j"), ("tsch", "ch"), ("dzh", "j"), ("sch", "sh"), ("dj", "j"), ("zh", "j"),
    ("kh", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"),
    ("ae", "a"), ("oe", "o"), ("ue", "u"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("ie", "i"),
    ("ts", "z"), ("tz", "z"), ("w", "v"), ("q", "k"), ("x", "ks"),
)

#: Score from which a candidate counts as the same person (tuned on the labelled set in
#: tests/intake/unit/duplicate_pairs.csv; see docs/intake.md).
DUPLICATE_THRESHOLD = 0.8

_ABD = re.compile(r"\babd[\s'-]*(?:al|el|ul|oul|ol)?[\s'-]*(?=[a-z])")
_SEPARATORS = re.compile(r"[^a-z]+")
_APOSTROPHES = re.compile(r"['`´’ʼʻ]")


def _fold_token(token: str, *, strip_article: bool = True) -> str:
    token = ABBREVIATIONS.get(token, token)
    # Article glued to the name ("Alhasan", "Elsayed"): al/el before a consonant.
    if (strip_article and len(token) >= 5 and token[:2] in ("al", "el")
            and token[2] not in "aeiouy"):
        token = token[2:]
    for old, new in REWRITES:
        token = token.replace(old, new)
    token = ("j" + token[1:]) if token.startswith("y") else token
    token = token.replace("y", "i")
    if token.endswith("ff"):  # Russian -off/-eff as written in older German documents
        token = token[:-2] + "v"
    if len(token) > 5 and token.endswith(("eh", "ah")):  # Persian Sakineh / Sakina
        token = token[:-2] + "a"
    return re.sub(r"(.)\1+", r"\1", token)  # doubled letters: Hassan/Hasan, Mohammed/Mohamed


def _tokens(name: str) -> list[str]:
    text = anyascii(name).lower()
    text = _APOSTROPHES.sub("", text)
    text = _ABD.sub("abdul", text)
    return [token for token in _SEPARATORS.split(text) if token]


def name_tokens(name: str, *, keep_particles: bool = False) -> list[str]:
    """A name as folded tokens: Latin, lower case, particles dropped, variants folded.

    ``keep_particles`` keeps "al", "ben", "abu" …, for comparing with a spelling that glued
    them to the name ("Ben Youssef" / "Benyoussef").
    """
    tokens = _tokens(name)
    if keep_particles:
        return [folded for folded in (_fold_token(token, strip_article=False)
                                      for token in tokens) if folded]
    kept = [token for token in tokens if token not in PARTICLES] or tokens
    return [folded for folded in (_fold_token(token) for token in kept) if folded]


def phonetic(tokens: list[str]) -> str:
    """Kölner Phonetik of the tokens written together ("Gebre Medhin" = "Gebremedhin")."""
    joined = "".join(tokens)
    if not joined:
        return ""
    return "".join(code for _, code in cologne_encode(joined))


@dataclass(frozen=True)
class NameKey:
    """The comparable form of one identity's names and birth date."""

    family: list[str]
    given: list[str]
    birth_date: date
    #: The family name with its particles ("al", "ben" …), folded the same way.
    family_with_particles: list[str]

    @classmethod
    def of(cls, family_name: str, given_names: str, birth_date: date) -> NameKey:
        return cls(name_tokens(family_name), name_tokens(given_names), birth_date,
                   name_tokens(family_name, keep_particles=True))

    @classmethod
    def of_identity(cls, identity: Identity) -> NameKey:
        return cls.of(identity.family_name, identity.given_names, identity.birth_date)

    @property
    def family_code(self) -> str:
        return phonetic(self.family)

    @property
    def given_code(self) -> str:
        return phonetic(self.given[:1])


def index_terms(key: NameKey) -> set[str]:
    """The blind-index terms of one identity (hashed by the adapter before storage).

    Several terms per person so that one error — a swapped family and given name, a second
    given name, a wrong year, day and month swapped — still leaves one term in common.
    """
    family, given = key.family_code, key.given_code
    day = key.birth_date
    pair = ":".join(sorted((family, given)))
    terms = {f"nd:{code}:{day.isoformat()}" for code in (family, given) if code}
    terms.add(f"ny:{pair}:{day.year}")
    terms.add(f"nm:{pair}:{day.month:02d}-{day.day:02d}")
    if day.day <= 12 and day.day != day.month:
        terms.add(f"nm:{pair}:{day.day:02d}-{day.month:02d}")
    return terms


def _vowels_folded(text: str) -> str:
    """Sounds that Latin spellings of one name write differently, made equal for comparing:
    Arabic and Persian have three vowels written five ways (o/u and e/i: Mohammed/Muhammad,
    Hossein/Hussein); German writes kh as ch (Chalil) and a voiced s for z (Resa); Turkish
    devoices a final b (Zeynep/Zeinab)."""
    folded = text.replace("o", "u").replace("e", "i").replace("ch", "h").replace("z", "s")
    return folded.replace("p", "b")


def _similarity(left: list[str], right: list[str]) -> float:
    """Indel similarity of two folded names (written apart and together), where a name that
    only adds to the other ("Kidane" / "Kidanemariam", a second given name) counts nearly
    equal."""
    if not left or not right:
        return 0.0
    spaced = _vowels_folded(" ".join(left)), _vowels_folded(" ".join(right))
    joined = _vowels_folded("".join(left)), _vowels_folded("".join(right))
    best = max(Indel.normalized_similarity(*spaced), Indel.normalized_similarity(*joined))
    shorter, longer = sorted(joined, key=len)
    first_left, first_right = _vowels_folded(left[0]), _vowels_folded(right[0])
    if len(shorter) >= 4 and longer.startswith(shorter):
        best = max(best, 0.9)
    if len(left) != len(right) and first_left == first_right and len(first_left) >= 3:
        best = max(best, 0.9)
    return best


def _family_similarity(left: NameKey, right: NameKey) -> float:
    return max(_similarity(left.family, right.family),
               _similarity(left.family_with_particles, right.family_with_particles))


def name_similarity(left: NameKey, right: NameKey) -> float:
    """Both names must agree (the product): twins share a family name and a birthday.
    Compared as written and with family and given name swapped (a common error)."""
    straight = _family_similarity(left, right) * _similarity(left.given, right.given)
    swapped = _similarity(left.family, right.given) * _similarity(left.given, right.family)
    return max(straight, 0.97 * swapped)


def date_agreement(left: date, right: date) -> float:
    """1 for the same day; less for the typical errors (day and month swapped, a digit off,
    the 1 January that stands in for an unknown birthday); 0 otherwise."""
    if left == right:
        return 1.0
    if left.year == right.year and (left.day, left.month) == (right.month, right.day):
        return 0.9
    if (left.month, left.day) == (right.month, right.day) and abs(left.year - right.year) == 1:
        return 0.75
    if left.year == right.year:
        if (left.month, left.day) == (1, 1) or (right.month, right.day) == (1, 1):
            return 0.75
        if left.month == right.month or left.day == right.day:
            return 0.6
    return 0.0


def match_score(left: NameKey, right: NameKey) -> float:
    """How likely two identities are one person, from 0 to 1."""
    agreement = date_agreement(left.birth_date, right.birth_date)
    return round(name_similarity(left, right) * (0.5 + 0.5 * agreement), 4)


def is_likely_duplicate(score: float) -> bool:
    return score >= DUPLICATE_THRESHOLD
