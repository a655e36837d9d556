"""Recognising a person who is already known (*Dublettenerkennung*), without searchable
plaintext.

The same person reaches intake spelled differently by each office and in different scripts:
"محمد الحسن" from a passport, "Mohammed Al-Hassan" at the foreigners' office, "Muhammad
Alhasan" at migration counselling, "Maxamed Xasan" in Somali orthography. This module turns
what intake knows of a person into a comparable record (:class:`Comparable`) and compares two
of them field by field (:func:`compare`); :mod:`.match_model` weighs the comparison.

Names are kept in three forms, all derived from the name as typed:

* the **original** as typed, in its own script;
* the **Latin form**: transliterated by ``anyascii`` (a maintained library that covers Arabic,
  Persian, Cyrillic, Ethiopic …), lower case, particles dropped, and only the folds that
  documented transliteration practice needs (listed below with their source);
* the **consonant skeleton** of the Latin form: Arabic and Persian script omit short vowels
  (محمد → "mhmd"), so a name written in that script can only be compared with its Latin
  spelling without vowels. The skeleton drops vowels and the semivowels y/w/v inside a word,
  folds the h-sounds (h, kh, German ch, Somali x), and collapses doubled letters; it keeps
  s/z, t/d, k/g, b/p apart, which Arabic script separates too. One sound that conventions
  write differently (Somali x, French ch, German z for ц …) is handled by reading a name in
  each convention (:data:`READINGS`), not by folding letters together for every name.

Blocking (:func:`blocking_keys`) derives several independent keys from these forms and the
birth date, so that one variant in one field cannot hide a person; the adapter stores only
their keyed hashes (blind indexes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from anyascii import anyascii
from cologne_phonetics import encode as cologne_encode
from rapidfuzz.distance import JaroWinkler

from ankommen.intake.domain.identity import FileNumberKind, Identity

#: Articles, patronymic and nobiliary particles that one office writes and the next drops:
#: Arabic al-/el- and its assimilated forms (ad-, as-, ash- … before "sun letters"), ibn/bin/
#: bint/ben ("son/daughter of"), abu/abou ("father of"), Maghrebi ould/ait; Dutch and German
#: van/von/der/de/zu (ICAO Doc 9303 part 3 keeps them as part of the name, offices often
#: do not).
PARTICLES = frozenset({
    "al", "el", "ul", "il", "ad", "ed", "as", "es", "ash", "esh", "at", "az", "an", "ar",
    "ben", "bin", "bint", "ibn", "abu", "abou", "bou", "ould", "ait",
    "van", "von", "der", "den", "de", "da", "di", "du", "la", "le", "zu", "ter", "ten",
})

#: The particles of :data:`PARTICLES` as ``anyascii`` writes them from Arabic script (بن,
#: بنت, ابن, أبو), where short vowels are not written: "la" or "de" from Arabic script are
#: parts of names.
ARABIC_SCRIPT_PARTICLES = frozenset({"bn", "bnt", "ibn", "bw", "abw", "abu"})

#: Abbreviations of "Muhammad" on Syrian and Egyptian documents (Mhd., Mohd.).
ABBREVIATIONS = {"mhd": "muhammad", "mohd": "muhammad", "muhd": "muhammad", "md": "muhammad"}

#: Letter groups that German and English practice write for one sound of the source
#: language; longest first. German transliteration (Duden, and the BAMF's practice before
#: ICAO) writes ج as "dsch", ش/ш as "sch", ч as "tsch", ж as "sh"/"zh"; ICAO Doc 9303 writes
#: the umlauts ä/ö/ü as ae/oe/ue in the machine-readable zone; German transliteration of
#: Cyrillic writes в as "w" (Iwanow), English and ICAO "v", as Persian و is "v" or "w".
#: Persian -zadeh ("son of") is written -zada in Dari and Pashto.
LATIN_FOLDS: tuple[tuple[str, str], ...] = (
    ("zadeh", "zada"), ("dsch", "j"), ("tsch", "ch"), ("sch", "sh"), ("dzh", "j"), ("dj", "j"),
    ("zh", "j"), ("ae", "a"), ("oe", "o"), ("ue", "u"), ("w", "v"),
)

#: Digraphs that stand for one consonant, replaced by one symbol before the vowels go, so
#: that "sh" (ش) stays apart from "s" (س) and "gh" (غ) from "g". The h-sounds (ح/ه "h",
#: خ "kh", German "ch" as in Chalil, Russian х as "kh") fold to one "h": Latin spellings do
#: not keep them apart. "q" (ق) is written "k" by most Latin spellings, "dh" (ذ/ظ) "d" or
#: "z", "th" (ث) "t" or "s"; "ph" is "f".
SKELETON_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("sh", "S"), ("ch", "h"), ("kh", "h"), ("gh", "G"), ("th", "t"), ("dh", "d"),
    ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"),
)

_ABD = re.compile(r"\babd[\s'`-]*(?:al|el|ul|oul|ol)?[\s'`-]*(?=[a-z])")
_SEPARATORS = re.compile(r"[^a-zH]+")
_VOWELS = re.compile(r"[aeiou]")
_DOUBLED = re.compile(r"(.)\1+")
_VOWEL_CLASSES = str.maketrans({"o": "u", "e": "i", "y": "i"})
#: The Arabic definite article written in Arabic script (ال), glued to the name.
#: Not in الله (Allah, as in Abdullah, Najibullah), whose article Latin spellings keep.
_ARABIC_ARTICLE = re.compile(
    r"(?<![\u0600-\u06FF])\u0627\u0644(?!\u0644\u0647(?![\u0600-\u06FF]))"
    r"(?=[\u0600-\u06FF]{2})")
#: A final alef (ا) or alef maqsura (ى) is a long a that ``anyascii`` drops (زهرا → "zhr"),
#: a final ta marbuta (ة) the feminine ending it writes "h": both become "a" as Latin
#: spellings write them (Zahra, Fatima).
#: Persian writes the final -e/-eh with ه (Fatemeh فاطمه), Arabic -ah (Abdullah عبدالله).
#: A final hamza after the alef (أسماء Asmaa, دعاء Duaa) changes nothing of that.
_ARABIC_FINAL_A = re.compile(r"[\u0627\u0649\u0629\u0647]\u0621?(?![\u0600-\u06FF])")
#: Persian and Dari read ض ذ ظ as z, ث as s and ق as gh (رضا Reza, قاسمی Ghasemi), where
#: ``anyascii`` gives the Arabic values (d, dh, t, q): names in Arabic script are also read so.
_PERSIAN_READING = str.maketrans({"\u0636": "\u0632", "\u0630": "\u0632", "\u0638": "\u0632",
                                  "\u062b": "\u0633", "\u0642": "\u063a"})
#: Ukrainian reads г as h (Сергій = Serhii on Ukrainian passports), where ``anyascii``
#: gives the Russian g (Sergii): names in Cyrillic are also read so.
_UKRAINIAN_READING = str.maketrans({"\u0433": "\u0445", "\u0413": "\u0425"})
#: Readings of a name in its own script, before transliteration.
SCRIPT_READINGS = (_PERSIAN_READING, _UKRAINIAN_READING)
#: Persian and Dari write the final alef maqsura of Arabic names with their ye (ی): مصطفی
#: Mostafa, موسی Musa, عیسی Isa, مرتضی Morteza, where a final ی is otherwise the -i of
#: Hosseini (حسینی). The script does not tell them apart, so such a name is also read with
#: the alef maqsura (ى), which :data:`_ARABIC_FINAL_A` reads as "a" — in every other reading
#: too (مرتضی needs the Persian ض = z as well).
_PERSIAN_FINAL_YE = re.compile(r"(?<=[\u0600-\u06FF]{2})\u06cc(?![\u0600-\u06FF])")
#: A word-initial bare alef before ی/ي or و is the vowel i/ai or u/o, as after a hamza
#: (ایمل Aimal, ایمان Iman, اومید Omid): Persian and Pashto typing leave the hamza out, and
#: ``anyascii`` writes nothing for a bare alef.
_INITIAL_ALEF_VOWEL = re.compile(r"(?<![\u0600-\u06FF])\u0627(?=[\u06cc\u064a\u0648])")
#: After ayn or hamza, ي and و are the long vowels i and u (عيسى Issa, إيمان Iman).
_LONG_I_AFTER_AYN = re.compile(r"[`']y")
_LONG_U_AFTER_AYN = re.compile(r"[`']w")
#: ح and ه inside a name are one letter "h"; written as "H" until the skeleton is taken, so
#: that they never form a digraph with the letter before (زهرا is z-h-r-a, not "zh").
_ARABIC_H = str.maketrans({"\u062d": "H", "\u0647": "H"})


#: Spellings of one letter in Arabic script that writers and keyboards interchange, made one
#: before two names in that script are compared: alef with hamza or madda (أ إ آ ٱ) and
#: bare alef, alef maqsura (ى) and the Persian ye (ی) and ya (ي), Persian kaf (ک) and Arabic
#: kaf (ك), ta marbuta (ة) and ha (ه), hamza on a seat (ؤ ئ) and its seat; short-vowel marks
#: and tatweel are dropped. The letters that make two names (ح/ه, س/ص/ز, ت/ث/ط …) stay.
_ARABIC_SPELLING = str.maketrans(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
     "\u0649": "\u064a", "\u06cc": "\u064a", "\u06a9": "\u0643", "\u0629": "\u0647",
     "\u0624": "\u0648", "\u0626": "\u064a", "\u0640": None, "\u200c": " ",
     **{chr(mark): None for mark in (*range(0x064B, 0x0660), 0x0670)}})


def _arabic_spelling(text: str) -> str:
    """The name in Arabic script with interchangeable spellings made one (see
    :data:`_ARABIC_SPELLING`); empty when it is not written in Arabic script."""
    if not any(char.isalpha() for char in text) or not all(
            not char.isalpha() or "ARABIC" in unicodedata.name(char, "") for char in text):
        return ""
    return " ".join(text.translate(_ARABIC_SPELLING).split())


def _is_latin(text: str) -> bool:
    """Whether a name was typed in Latin letters (with or without diacritics)."""
    return all(not char.isalpha() or "LATIN" in unicodedata.name(char, "")
               for char in text)


def _fold(token: str, *, strip_article: bool = True, latin: bool = True) -> str:
    if latin:  # "md" from Arabic script is a name (مد), not an abbreviation
        token = ABBREVIATIONS.get(token, token)
    # Arabic article glued to the name ("Alhasan", "Elsayed"): al/el before a consonant.
    if (strip_article and len(token) >= 5 and token[:2] in ("al", "el")
            and token[2] not in "aeiouy"):
        token = token[2:]
    for old, new in LATIN_FOLDS:
        token = token.replace(old, new)
    return _DOUBLED.sub(r"\1", token)  # Hassan/Hasan, Mohammed/Mohamed


@lru_cache(maxsize=4096)
def latin_tokens(name: str, *, keep_particles: bool = False) -> tuple[str, ...]:
    """A name in its Latin form, as tokens: transliterated, lower case, particles dropped
    (unless ``keep_particles``), documented variants folded. Remembered for the most
    recent name fields, as :func:`skeletons_by_reading` is and for the same reason."""
    latin = _is_latin(name)
    # Lower case first: "H" is kept for the Arabic letters only.
    name = _INITIAL_ALEF_VOWEL.sub("\u0623", name.lower())
    name = _ARABIC_FINAL_A.sub("a", _ARABIC_ARTICLE.sub("", name)).translate(_ARABIC_H)
    text = "".join(char if char == "H" else anyascii(char).lower() for char in name)
    text = _LONG_U_AFTER_AYN.sub("u", _LONG_I_AFTER_AYN.sub("i", text))
    text = text.replace("'", "").replace("`", "").replace("\u2019", "")
    # "Abd al-Rahman", "Abdel Rahman", "Abdulrahman", عبد الرحمن: "servant of" and the
    # article, written in as many ways; one form without the article.
    text = _ABD.sub("abd", text)
    tokens = [token for token in _SEPARATORS.split(text) if token]
    if not keep_particles:
        particles = PARTICLES if latin else ARABIC_SCRIPT_PARTICLES
        tokens = [token for token in tokens if token not in particles] or tokens
    return tuple(folded for folded in (_fold(token, strip_article=not keep_particles,
                                             latin=latin)
                                       for token in tokens) if folded)


def skeleton(token: str) -> str:
    """The consonant skeleton of a Latin-form token (see the module docstring). A final -a,
    -e, -ah or -eh stays as one mark "A": it is the feminine ending (Samir/Samira,
    Ivanov/Ivanova, Arabic ة, Persian -eh: Fatemeh = فاطمة = Fatima), which Arabic script
    writes too."""
    for old, new in SKELETON_DIGRAPHS:
        token = token.replace(old, new)
    token = token.replace("x", "ks")
    if not token:
        return ""
    # Not -ee, -ie, -ae: Persian -i (Rezaee, Ataie = رضایی, عطایی).
    feminine = len(token) >= 2 and (token.endswith(("a", "ah", "eh")) or (
        token[-1] == "e" and token[-2] not in "aeiou"))
    ending = ""
    if feminine:
        token = token[:-2] if token.endswith("h") else token[:-1]
        # -ia/-iya/-ya is written with ي before the ending (Rania رانيا, not Rana رنا).
        ending = "yA" if len(token) > 1 and token[-1] in "iy" else "A"
        if not token:
            return ending
    token = token.replace("H", "h")  # ح/ه, and a final h read as a consonant
    head, tail = token[0], token[1:]
    head = "" if head in "aeiou" else head  # a semivowel starting a name stays: Yusuf, Wahid
    tail = _VOWELS.sub("", tail).replace("y", "").replace("v", "")
    return _DOUBLED.sub(r"\1", head + tail) + ending


#: Ways practice writes one sound that a skeleton of its own cannot tell apart, as readings
#: of a Latin-form token; a name's skeletons are its skeletons under each reading.
READINGS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("as written", lambda token: token),
    # Somali Latin alphabet (1972): x is the h-sound ح, c the ayn ع that other spellings
    # leave out (Maxamed Cali = Mohamed Ali).
    ("Somali", lambda token: token.replace("x", "h").replace("c", "")),
    # French transliteration writes ش as "ch" (Rachid, Aicha, Al-Chami).
    ("French", lambda token: token.replace("ch", "sh")),
    # Persian pronounces ق like غ and writes both "gh" (Ghasemi = Qasimi, Sadeghi = Sadiqi).
    ("Persian gh", lambda token: token.replace("gh", "q")),
    # Italian spelling, common in Eritrea, writes a hard g before e/i as "gh" (Ghebremedhin).
    ("Italian gh", lambda token: token.replace("gh", "g")),
    # Turkish (1928) and Kurmanji Kurdish (Hawar) Latin write ج as c (Cemal = Jamal,
    # Cizîrî = Jaziri).
    ("Turkish c", lambda token: token.replace("c", "j")),
    # Egyptian Arabic pronounces ج as g (Gamal = Jamal, Khadiga = Khadija).
    ("Egyptian", lambda token: re.sub(r"g(?!h)", "j", token)),
    # German writes an initial y-sound as J (Jusuf, Jasmin, Johannes = ዮሐንስ).
    ("German initial J", lambda token: "y" + token[1:] if token.startswith("j") else token),
    # German transliteration of Cyrillic (Duden): z for ц, j for й/я/ю (Saizew = Zaitsev,
    # Julija = Yuliia). Not s for з: read back as z it would make Said (سعيد) and Zaid (زيد),
    # Nasim and Nazim one name; Kusnezowa and Kuznetsova still meet by similarity.
    ("German Cyrillic", lambda token: token.replace("z", "ts")
     .replace("tz", "ts").replace("j", "y")),
    # French spellings end a name in a silent e (Yasmine, Imane = ياسمين, إيمان).
    ("French final e", lambda token: token[:-1] if len(token) > 3 and token.endswith("e")
     and token[-2] not in "aeiou" else token),
    # A final h may be a consonant (Saleh = صالح), not the vowel ending -eh.
    ("final h", lambda token: token[:-1] + "H" if token.endswith(("ah", "eh")) else token),
    # The Arabic article glued before a vowel (Alahmad, Alomar = الأحمد, العمر).
    ("glued article", lambda token: token[2:] if len(token) >= 6 and token[:2] in ("al", "el")
     and token[2] in "aeiou" else token),
)


#: How many name parts :func:`skeletons_by_reading` remembers (see there).
SKELETON_CACHE_SIZE = 4096


@lru_cache(maxsize=SKELETON_CACHE_SIZE)
def skeletons_by_reading(token: str) -> tuple[str, ...]:
    """The skeleton of one token under each of :data:`READINGS`, in their order.

    Remembered for the most recent name parts: a registration compares its record with up
    to 50 candidates, each decrypted and its skeletons computed anew, and this was most of
    a registration's time (B8: 33 of 50 ms with 50,000 people stored). Name parts repeat
    across people — Mohammed, Ahmad, Hassan — so nearly every look-up is a hit. What is
    remembered is a name part alone, never linked to a person, a birth date or a case, and
    only in the process's memory (see docs/security.md)."""
    return tuple(skeleton(read(token)) for _, read in READINGS)


def token_skeletons(token: str) -> frozenset[str]:
    """The skeletons of one token under every reading."""
    return frozenset(value for value in skeletons_by_reading(token) if value)


@dataclass(frozen=True)
class NameForm:
    """One name field (family or given names) in the forms it is compared in."""

    tokens: tuple[str, ...]
    #: Tokens with their particles ("al", "ben" …), for "Ben Youssef" / "Benyoussef".
    with_particles: tuple[str, ...]
    #: Whether the name was typed in Latin letters; a name typed in Arabic script has no
    #: short vowels, so its Latin form is only compared as a skeleton.
    latin: bool
    #: Tokens of the name as another tradition reads its script (:data:`SCRIPT_READINGS`:
    #: Persian for Arabic script, Ukrainian for Cyrillic), where that differs.
    script_readings: tuple[tuple[str, ...], ...] = ()
    #: The name as typed (spaces normalised), in its own script.
    original: str = ""
    #: The name in Arabic script with interchangeable spellings made one; empty when it is
    #: not written in Arabic script.
    arabic: str = ""

    @classmethod
    def of(cls, name: str) -> NameForm:
        read = {name, *(name.translate(table) for table in SCRIPT_READINGS)}
        read = (read | {_PERSIAN_FINAL_YE.sub("\u0649", other) for other in read}) - {name}
        return cls(latin_tokens(name), latin_tokens(name, keep_particles=True), _is_latin(name),
                   tuple(latin_tokens(other) for other in sorted(read)),
                   " ".join(name.casefold().split()), _arabic_spelling(name))

    # Derived forms are computed once per record: a registration compares one record with
    # up to 50 candidates. (cached_property writes the instance's __dict__, which a frozen
    # dataclass allows.)
    @cached_property
    def joined(self) -> str:
        return "".join(self.tokens)

    @cached_property
    def joined_forms(self) -> frozenset[str]:
        """Written together, without and with particles ("Ben Youssef" = "Benyoussef",
        "Abu Bakr" = "Abubakr", "Gebre Medhin" = "Gebremedhin")."""
        return frozenset({self.joined, "".join(self.with_particles)})

    @cached_property
    def vowel_classes(self) -> frozenset[str]:
        """The Latin form under each reading, with the vowels that Latin spellings of one
        name interchange made one: Arabic and Persian have three vowels, written five ways
        (o/u: Mohammed/Muhammad; e/i and y: Hossein/Hussain, Leila/Layla)."""
        return frozenset("".join(read(token) for token in self.tokens).translate(_VOWEL_CLASSES)
                         for _, read in READINGS)

    @cached_property
    def skeletons(self) -> frozenset[str]:
        """The skeletons of the whole name (without and with particles, and as other
        traditions read its script), each reading applied to every token: a name is written
        in one convention."""
        return frozenset(value for form in (self.tokens, self.with_particles,
                                            *self.script_readings)
                         for reading in range(len(READINGS))
                         if (value := "".join(skeletons_by_reading(token)[reading]
                                              for token in form)))

    @cached_property
    def token_skeletons(self) -> frozenset[str]:
        """The skeletons of each token under each reading (for blocking, and for finding
        one name's part in another field)."""
        return frozenset[str]().union(*(token_skeletons(token)
                                        for form in (self.tokens, *self.script_readings)
                                        for token in form))


@dataclass(frozen=True)
class Comparable:
    """What intake compares of one person: names in their forms, birth date, and the
    evidence beyond names (gender, nationalities, birth place, file numbers by kind)."""

    family: NameForm
    given: NameForm
    birth_date: date
    #: female, male or diverse; None when not known ("unspecified" is not known).
    gender: str | None = None
    nationalities: frozenset[str] = frozenset()
    birth_place: NameForm | None = None
    #: (kind, normalised number) pairs.
    file_numbers: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, family_name: str, given_names: str, birth_date: date, *,
           gender: str | None = None, nationalities: Iterable[str] = (),
           birth_place: str | None = None,
           file_numbers: Iterable[tuple[str, str]] = ()) -> Comparable:
        known_gender = gender if gender in ("female", "male", "diverse") else None
        return cls(NameForm.of(family_name), NameForm.of(given_names), birth_date,
                   known_gender, frozenset(code.upper() for code in nationalities),
                   NameForm.of(birth_place) if birth_place and birth_place.strip() else None,
                   frozenset((kind, "".join(char for char in number.upper()
                                            if char.isalnum()))
                             for kind, number in file_numbers))

    @classmethod
    def of_identity(cls, identity: Identity, *, gender: str | None = None) -> Comparable:
        """``gender``: from the person's survey (identity does not hold it)."""
        return cls.of(identity.family_name, identity.given_names, identity.birth_date,
                      gender=gender, nationalities=identity.nationalities,
                      birth_place=identity.birth_place,
                      file_numbers=[(number.kind.value, number.number)
                                    for number in identity.file_numbers])


#: File number kinds that one person has alone: equal means the same person, different
#: (same kind) means two people. A job-centre number (BG-Nummer) is shared by a household;
#: "other" is too vague to tell.
PERSON_LEVEL_KINDS = frozenset({FileNumberKind.FEDERAL_OFFICE.value,
                                FileNumberKind.FOREIGNERS_OFFICE.value,
                                FileNumberKind.CENTRAL_REGISTER.value})

#: Comparison levels of a name, best first.
NAME_LEVELS = ("exact", "skeleton", "subset", "jw92", "jw85", "jw70", "other_field", "else",
               "unknown")
#: The comparisons and their levels; the model holds one weight per level.
COMPARISONS: dict[str, tuple[str, ...]] = {
    "family": NAME_LEVELS,
    "given": NAME_LEVELS,
    "order": ("straight", "swapped"),
    "birth_date": ("exact", "exact_placeholder", "day_month_swapped", "placeholder",
                   "day_placeholder", "one_digit", "year_off_by_one", "year_digit", "else"),
    "gender": ("equal", "different", "unknown"),
    "nationality": ("shared", "different", "unknown"),
    "birth_place": ("similar", "different", "unknown"),
    "file_number": ("person_equal", "person_different", "household_equal", "none"),
}


def name_similarity(left: NameForm, right: NameForm) -> float:
    """Jaro-Winkler similarity of two names: on the Latin form when both were typed in
    Latin letters, on the skeleton when one was not (its Latin form has no short vowels).
    (Vowels by class here too, tried on the train split, cost more precision than the
    recall they gained.)"""
    if left.latin and right.latin:
        return max(JaroWinkler.similarity(left.joined, right.joined),
                   JaroWinkler.similarity(" ".join(left.tokens), " ".join(right.tokens)))
    return max((JaroWinkler.similarity(one, other)
                for one in left.skeletons for other in right.skeletons), default=0.0)


def _vowel_class_similarity(left: NameForm, right: NameForm) -> float:
    return max(JaroWinkler.similarity(one, other)
               for one in left.vowel_classes for other in right.vowel_classes)


def _token_subset(left: NameForm, right: NameForm) -> bool:
    """One name is the other with names added (a second given name, "Kidane" /
    "Kidane Mariam"): every token of the shorter one is in the longer one."""
    shorter, longer = sorted((left, right), key=lambda form: len(form.tokens))
    if not shorter.tokens or len(shorter.tokens) == len(longer.tokens):
        return False
    known = set(longer.tokens) | longer.token_skeletons
    return all(token in known or skeleton(token) in known for token in shorter.tokens)


def _arabic_script_level(left: str, right: str) -> str:
    """Two names both written in Arabic script are compared in it, not in their Latin
    form: the script writes what the Latin form and its skeleton merge — ح and ه (حلا and
    هالة are two names, both "Hala"), ت/ث/ط, س/ص/ز, and the long vowels (عامر Amer and أمير
    Amir, حامد Hamed and حميد Hamid, which Latin spellings interchange)."""
    if left.replace(" ", "") == right.replace(" ", ""):
        return "exact"
    shorter, longer = sorted((left.split(), right.split()), key=len)
    if len(shorter) < len(longer) and set(shorter) <= set(longer):
        return "subset"
    # A mistyped letter in a long name stays close; a letter that makes another name of a
    # short one (سارا Sara, زارا Zara) is a different name.
    return "jw92" if JaroWinkler.similarity(left, right) >= 0.92 else "else"


def name_level(left: NameForm, right: NameForm) -> str:
    if not left.tokens or not right.tokens:
        return "unknown"
    if left.original == right.original:
        return "exact"
    if left.arabic and right.arabic:
        return _arabic_script_level(left.arabic, right.arabic)
    if left.joined_forms & right.joined_forms:
        return "exact"
    # Two Latin spellings that differ in their vowels are compared on those too: the
    # skeleton alone merges Hossein and Hassan, Zahra and Zohreh.
    if left.skeletons & right.skeletons and (
            not (left.latin and right.latin) or _vowel_class_similarity(left, right) >= 0.8):
        return "skeleton"
    if _token_subset(left, right):
        return "subset"
    similarity = name_similarity(left, right)
    for level, bound in (("jw92", 0.92), ("jw85", 0.85), ("jw70", 0.70)):
        if similarity >= bound:
            return level
    return "else"


def _in_other_field(family: NameForm, given: NameForm) -> bool:
    """Eritrean and Ethiopian names have no family name: offices record the father's or the
    grandfather's name as one, and the rest with the given names."""
    return bool(family.token_skeletons & given.token_skeletons)


def _names(left: Comparable, right: Comparable) -> dict[str, str]:
    straight = {"family": name_level(left.family, right.family),
                "given": name_level(left.given, right.given), "order": "straight"}
    swapped = {"family": name_level(left.family, right.given),
               "given": name_level(left.given, right.family), "order": "swapped"}

    def rank(levels: dict[str, str]) -> int:
        return NAME_LEVELS.index(levels["family"]) + NAME_LEVELS.index(levels["given"])

    if rank(swapped) + 2 < rank(straight):
        return swapped
    if straight["family"] in ("else", "jw70") and (
            _in_other_field(left.family, right.given)
            or _in_other_field(right.family, left.given)):
        straight["family"] = "other_field"
    return straight


def date_level(left: date, right: date) -> str:
    """The typical errors: day and month swapped, a placeholder standing in for what was not
    known, one digit of day or month mistyped, the year off by one, one digit of the year
    different.

    Two placeholders are told apart, as registers write them: 01.01. of the year when only
    the year is known ("placeholder"), and the day 01 when only month and year are (a
    document's unknown day, "00" or "XX", written as 01 by a system that stores only valid
    dates: "day_placeholder"). Equal dates on 01.01. ("exact_placeholder") are weaker
    evidence than other equal dates: where many people know only their birth year
    (Afghanistan, Somalia), registers give it to all of them, so two different people share
    it far more often than 1/365 of the time.
    """
    if left == right:
        return "exact_placeholder" if (left.month, left.day) == (1, 1) else "exact"
    if left.year == right.year and (left.day, left.month) == (right.month, right.day):
        return "day_month_swapped"
    if left.year == right.year and (1, 1) in ((left.month, left.day),
                                              (right.month, right.day)):
        return "placeholder"
    if (left.year, left.month) == (right.year, right.month) and 1 in (left.day, right.day):
        return "day_placeholder"
    if left.year == right.year and _digits_apart(left.strftime("%m%d"),
                                                 right.strftime("%m%d")) == 1:
        return "one_digit"
    if (left.month, left.day) == (right.month, right.day):
        if abs(left.year - right.year) == 1:
            return "year_off_by_one"
        # One digit of the year: a typo, or a parent or child of the same name (1960/1990).
        if _digits_apart(str(left.year), str(right.year)) == 1:
            return "year_digit"
    return "else"


def _digits_apart(left: str, right: str) -> int:
    return sum(one != other for one, other in zip(left, right, strict=True))


def _file_number_level(left: Comparable, right: Comparable) -> str:
    shared = left.file_numbers & right.file_numbers
    if any(kind in PERSON_LEVEL_KINDS for kind, _ in shared):
        return "person_equal"
    left_kinds = {kind for kind, _ in left.file_numbers if kind in PERSON_LEVEL_KINDS}
    right_kinds = {kind for kind, _ in right.file_numbers if kind in PERSON_LEVEL_KINDS}
    if left_kinds & right_kinds:
        return "person_different"
    if any(kind == FileNumberKind.JOB_CENTRE.value for kind, _ in shared):
        return "household_equal"
    return "none"


def compare(left: Comparable, right: Comparable) -> dict[str, str]:
    """The comparison vector of two records: one level per comparison of
    :data:`COMPARISONS`."""
    levels = _names(left, right)
    levels["birth_date"] = date_level(left.birth_date, right.birth_date)
    if left.gender is None or right.gender is None:
        levels["gender"] = "unknown"
    else:
        levels["gender"] = "equal" if left.gender == right.gender else "different"
    if not left.nationalities or not right.nationalities:
        levels["nationality"] = "unknown"
    else:
        levels["nationality"] = ("shared" if left.nationalities & right.nationalities
                                 else "different")
    if left.birth_place is None or right.birth_place is None:
        levels["birth_place"] = "unknown"
    else:
        levels["birth_place"] = ("similar" if name_level(left.birth_place, right.birth_place)
                                 in ("exact", "skeleton", "subset", "jw92", "jw85")
                                 else "different")
    levels["file_number"] = _file_number_level(left, right)
    return levels


def _phonetic(token: str) -> str:
    return "".join(code for _, code in cologne_encode(token)) if token else ""


def blocking_keys(record: Comparable) -> set[str]:
    """The blocking keys of one record (hashed by the adapter before storage): two records
    become candidates for scoring when they share one.

    Each key combines one name part with one part of the birth date, so that a variant in one
    field — a misspelt or swapped name, a second given name, a father's name as family name,
    a wrong year, day and month swapped, a 1 January placeholder — leaves other keys in
    common: the skeleton of every name part with the birth year, and with the day and month
    (both orders); the Kölner Phonetik of every name part with the full date; the full date
    with the initials of family and given names (a variant in both names); the family
    skeleton with the given names' initial and the decade of birth (both ways round, for a
    wrong date: the decade keeps the key from being shared by everyone of a common name).
    """
    day = record.birth_date
    day_months = {f"{day.month:02d}-{day.day:02d}", f"{day.day:02d}-{day.month:02d}"}
    parts = record.family.token_skeletons | record.given.token_skeletons
    keys = {f"sy:{part}:{day.year}" for part in parts}
    keys |= {f"sd:{part}:{day_month}" for part in parts for day_month in day_months}
    keys |= {f"pd:{code}:{day.isoformat()}"
             for token in record.family.tokens + record.given.tokens
             if (code := _phonetic(token))}
    # The full date with the initials of both names (any reading, either order): a typo in
    # one name and a variant in the other still meet here, and a day has few births.
    keys |= {f"di:{day.isoformat()}:{''.join(sorted((family[0], given[0])))}"
             for family in record.family.skeletons for given in record.given.skeletons}
    decade = day.year // 10
    for family, given in ((record.family, record.given), (record.given, record.family)):
        initials = {value[0] for value in given.skeletons}
        keys |= {f"fi:{name}:{initial}:{decade}"
                 for name in family.skeletons for initial in initials}
    return keys
