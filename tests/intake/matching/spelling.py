"""How one name gets written differently by different offices: the documented
transliteration and spelling rules the evaluation set's generator applies to a lexicon name
(:mod:`tests.intake.matching.lexicon`).

Every function returns ``(spelling, source)`` pairs; the source names the rule, so that a
pair's note says which practice produced it. Rules and their sources:

* Cyrillic — ICAO Doc 9303 Part 3 (7th ed., 2015), its transliteration table for Cyrillic
  (Russian and Ukrainian letters; for Ukrainian Г → H, И → Y); the Ukrainian national system
  (Resolution of the Cabinet of Ministers of Ukraine no. 55 of 27 January 2010: Є Ї Й Ю Я →
  Ye Yi Y Yu Ya at the start of a word, ie i i iu ia elsewhere, ЗГ → zgh); BGN/PCGN
  romanisation of Russian (1947); English practice (Fyodor, Dmitry); the German Duden
  transcription (Ch/Sch/Tsch/Schtsch, Je/Ju/Ja, W for В, Z for Ц: Chruschtschow, Jewgeni);
  the French practice (Ou, Tch, Ch, J: Sergueï); and the Russian form of a Ukrainian name
  (Oleksandr/Aleksandr, Serhii/Sergej), which Soviet-era and Russian-issued documents carry.
* Arabic, Persian, Pashto in Latin letters — the German Duden-style transcription used by
  German authorities and press (kh → ch, sh → sch, j → dsch, y → j: Chalid, Dschamila,
  Jusuf), the French one used on Maghrebi and francophone documents (j → dj, sh → ch,
  u → ou, w → ou, intervocalic s → ss: Djamila, Youssouf, Oualid); the Arabic definite
  article written Al-/Al /Al/El- or dropped, and assimilated before the "sun letters"
  (t th d dh r z s sh n: At-Tamimi, Ash-Shami), as BGN/PCGN (1956) and DIN 31635 spell it.
* Turkish — ICAO Doc 9303 Part 3, its table of Latin letters with diacritics (Ç → C, Ğ → G,
  İ/I → I, Ö → OE, Ş → S, Ü → UE); diacritics dropped on keyboards without Turkish letters;
  English (ch, sh) and German (tsch, sch, dsch) phonetic renderings.
* Albanian — ASCII (ç → c, ë → e), German phonetic (sh → sch, xh → dsch, ç → tsch), and the
  Serbo-Croatian spelling of Yugoslav civil registers in Kosovo and North Macedonia
  (q → ć, gj → đ, xh → dž, sh → š, ç → č, y → i, th → t: Krasniqi → Krasnići, Thaçi → Tači)
  and its ASCII form.
* Kurdish — Kurmanji Latin (Hawar alphabet) folded to ASCII, English (ç ch, ş sh, x kh,
  c j), German (tsch, sch, ch, dsch) and Turkish-register forms (x → h, w → v, ê î û → e i u).
* German — the same ICAO table (Ä → AE, Ö → OE, Ü → UE, ß → SS) and the diacritics dropped
  (Muller), ß written ss (Weiss).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from tests.intake.matching.lexicon import Name

Spellings = list[tuple[str, str]]


def _title(text: str) -> str:
    """Capitalise every word and every part after a hyphen, keeping the rest as written."""
    return re.sub(r"(^|[\s-])(\w)", lambda m: m.group(1) + m.group(2).upper(), text)


def _unique(spellings: Iterable[tuple[str, str]]) -> Spellings:
    seen: dict[str, str] = {}
    for spelling, source in spellings:
        if spelling and spelling not in seen:
            seen[spelling] = source
    return list(seen.items())


# ---------------------------------------------------------------- Cyrillic

_VOWELS_CYR = set("аеёиоуыэюяєіїь'ъй")
_COMMON = {
    "а": "a", "б": "b", "д": "d", "з": "z", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "т": "t", "у": "u", "ф": "f", "ъ": "", "ь": "", "'": "",
    "ы": "y", "э": "e",
}


def _cyrillic(word: str, table: dict[str, str], *, initial: dict[str, str] | None = None,
              after_vowel: dict[str, str] | None = None,
              endings: tuple[tuple[str, str], ...] = (),
              clusters: tuple[tuple[str, str], ...] = (),
              between_vowels: dict[str, str] | None = None,
              short_i: str = "") -> str:
    lower = word.lower()
    suffix = ""
    for ending, replacement in endings:
        if lower.endswith(ending):
            lower, suffix = lower[: -len(ending)], replacement
            break
    out = []
    index = 0
    while index < len(lower):
        for cluster, replacement in clusters:
            if lower.startswith(cluster, index):
                out.append(replacement)
                index += len(cluster)
                break
        else:
            char = lower[index]
            previous = lower[index - 1] if index else ""
            following = lower[index + 1] if index + 1 < len(lower) else ""
            if short_i and char == "й" and following not in "аеёиоуыэюяєії":
                out.append(short_i)
            elif index == 0 and initial and char in initial:
                out.append(initial[char])
            elif previous and previous in _VOWELS_CYR and after_vowel and char in after_vowel:
                out.append(after_vowel[char])
            elif (between_vowels and char in between_vowels and previous in _VOWELS_CYR
                  and following in _VOWELS_CYR and previous not in "ьъ'"):
                out.append(between_vowels[char])
            else:
                out.append(table.get(char, _COMMON.get(char, char)))
            index += 1
    return _title("".join(out) + suffix)


def _system(**kwargs: object) -> Callable[[str], str]:
    def apply(name: str) -> str:
        return "-".join(" ".join(_cyrillic(word, **kwargs)  # type: ignore[arg-type]
                                 for word in part.split()) for part in name.split("-"))
    return apply


ICAO_RUSSIAN = _system(table={
    "в": "v", "г": "g", "е": "e", "ё": "e", "ж": "zh", "и": "i", "й": "i", "с": "s",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ю": "iu", "я": "ia"})
ICAO_UKRAINIAN = _system(table={
    "в": "v", "г": "h", "ґ": "g", "е": "e", "є": "ie", "ж": "zh", "и": "y", "і": "i",
    "ї": "i", "й": "i", "с": "s", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ю": "iu", "я": "ia"})
UKRAINIAN_2010 = _system(
    table={"в": "v", "г": "h", "ґ": "g", "е": "e", "є": "ie", "ж": "zh", "и": "y", "і": "i",
           "ї": "i", "й": "i", "с": "s", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
           "щ": "shch", "ю": "iu", "я": "ia"},
    initial={"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"},
    clusters=(("зг", "zgh"),))
BGN_PCGN_RUSSIAN = _system(
    table={"в": "v", "г": "g", "е": "e", "ё": "ë", "ж": "zh", "и": "i", "й": "y", "с": "s",
           "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"},
    initial={"е": "ye", "ё": "yë"}, after_vowel={"е": "ye", "ё": "yë"})
ENGLISH_RUSSIAN = _system(
    table={"в": "v", "г": "g", "е": "e", "ё": "yo", "ж": "zh", "и": "i", "й": "y", "с": "s",
           "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"},
    initial={"е": "ye"}, after_vowel={"е": "ye", "ё": "yo"},
    endings=(("ий", "y"), ("ый", "y")),
    clusters=(("жё", "zho"), ("чё", "cho"), ("шё", "sho"), ("щё", "shcho"), ("ьё", "yo"),
              ("ье", "ye"), ("ья", "ya"), ("ью", "yu")))
DUDEN_RUSSIAN = _system(
    table={"в": "w", "г": "g", "е": "e", "ё": "jo", "ж": "sch", "и": "i", "й": "j", "с": "s",
           "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ю": "ju",
           "я": "ja", "з": "s"},
    initial={"е": "je"}, after_vowel={"е": "je", "ё": "jo"},
    endings=(("ий", "i"), ("ый", "y")),
    clusters=(("жё", "scho"), ("чё", "tscho"), ("шё", "scho"), ("щё", "schtscho"),
              ("ьё", "jo"), ("ье", "je"), ("ья", "ja"), ("ью", "ju")),
    between_vowels={"с": "ss"}, short_i="i")
DUDEN_UKRAINIAN = _system(
    table={"в": "w", "г": "h", "ґ": "g", "е": "e", "є": "je", "ж": "sch", "и": "y", "і": "i",
           "ї": "ji", "й": "j", "с": "s", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
           "щ": "schtsch", "ю": "ju", "я": "ja", "з": "s"},
    clusters=(("ьо", "jo"),), between_vowels={"с": "ss"})
FRENCH_RUSSIAN = _system(
    table={"в": "v", "г": "g", "е": "e", "ё": "io", "ж": "j", "и": "i", "й": "ï", "с": "s",
           "у": "ou", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch", "щ": "chtch",
           "ю": "iou", "я": "ia"},
    endings=(("ий", "i"),),
    clusters=(("ге", "gue"), ("ги", "gui"), ("ье", "ie"), ("ья", "ia"), ("ия", "ia")),
    between_vowels={"с": "ss"})

RUSSIAN_SYSTEMS: tuple[tuple[Callable[[str], str], str], ...] = (
    (ICAO_RUSSIAN, "ICAO Doc 9303"), (BGN_PCGN_RUSSIAN, "BGN/PCGN"),
    (ENGLISH_RUSSIAN, "English practice"), (DUDEN_RUSSIAN, "German Duden"),
    (FRENCH_RUSSIAN, "French practice"))
UKRAINIAN_SYSTEMS: tuple[tuple[Callable[[str], str], str], ...] = (
    (UKRAINIAN_2010, "Ukrainian national 2010"), (ICAO_UKRAINIAN, "ICAO Doc 9303"),
    (DUDEN_UKRAINIAN, "German Duden (Ukrainian)"))

_RUSSIAN_FEMININE = (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ов", "ова"),
                     ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина"), ("ын", "ына"))


def feminine_family_name(native: str) -> str:
    """The feminine form of a Russian or Ukrainian family name (Иванов → Иванова); names in
    -енко, -ук, -ик and the like do not change."""
    for masculine, feminine in _RUSSIAN_FEMININE:
        if native.endswith(masculine):
            return native[: -len(masculine)] + feminine
    if native.endswith("ський"):
        return native[:-5] + "ська"
    return native


def cyrillic_spellings(native: str, *, ukrainian: bool, cognate: str = "") -> Spellings:
    systems = UKRAINIAN_SYSTEMS if ukrainian else RUSSIAN_SYSTEMS
    found = [(system(native), source) for system, source in systems]
    if ukrainian:
        russian = cognate or native.replace("і", "и").replace("І", "И").replace("є", "е")
        found += [(ENGLISH_RUSSIAN(russian), "Russian form, English practice"),
                  (DUDEN_RUSSIAN(russian), "Russian form, German Duden"),
                  (ICAO_RUSSIAN(russian), "Russian form, ICAO Doc 9303")]
        found.append((UKRAINIAN_2010(native).replace("ks", "x"),
                      "older Ukrainian passports (ks written x)"))
    return _unique(found)


# ---------------------------------------------------------------- Arabic script in Latin

_SUN_LETTERS = ("th", "dh", "sh", "t", "d", "r", "z", "s", "n")


def _german_transcription(spelling: str) -> str:
    text = spelling
    for old, new in (("kh", "ch"), ("Kh", "Ch"), ("sh", "sch"), ("Sh", "Sch"),
                     ("zh", "sch"), ("Zh", "Sch"), ("j", "dsch"), ("J", "Dsch"),
                     ("ee", "i"), ("oo", "u")):
        text = text.replace(old, new)
    text = re.sub(r"y(?=[aeiou])", "j", text)
    return re.sub(r"Y(?=[aeiou])", "J", text)


def _french_transcription(spelling: str) -> str:
    text = spelling
    for old, new in (("sh", "ch"), ("Sh", "Ch"), ("j", "dj"), ("J", "Dj"), ("ee", "i"),
                     ("oo", "ou")):
        text = text.replace(old, new)
    text = re.sub(r"(?<![oOqQ])u", "ou", text)
    text = re.sub(r"\bU", "Ou", text)
    text = re.sub(r"\bW(?=[aeiu])", "Ou", text)
    return re.sub(r"(?<=[aeiou])s(?=[aeiou])", "ss", text)


def _article_forms(spelling: str) -> Spellings:
    """Al-Tamimi → Al Tamimi, Altamimi, El-Tamimi, Tamimi, At-Tamimi."""
    match = re.fullmatch(r"Al-(\w+)", spelling)
    if not match:
        return []
    rest = match.group(1)
    forms = [(f"Al {rest}", "article spaced"), (f"Al{rest.lower()}", "article joined"),
             (f"El-{rest}", "article as El- (Egyptian, Levantine)"),
             (rest, "article dropped")]
    for letters in _SUN_LETTERS:
        if rest.lower().startswith(letters):
            forms.append((f"A{letters}-{rest}", "article assimilated to a sun letter"))
            break
    return forms


def arabic_script_spellings(name: Name) -> Spellings:
    """The curated spellings, then the German and French transcriptions of the English-style
    one, then the article forms of a family name."""
    base = name.spellings[0]
    found: Spellings = [(spelling, "usual Latin spelling") for spelling in name.spellings]
    found.append((_german_transcription(base), "German Duden-style transcription"))
    found.append((_french_transcription(base), "French transcription"))
    found += _article_forms(base)
    return _unique(found)


# ---------------------------------------------------------------- Latin orthographies


def _replace_all(text: str, rules: Iterable[tuple[str, str]]) -> str:
    for old, new in rules:
        text = text.replace(old, new).replace(_title(old), _title(new)) \
            .replace(old.upper(), new.upper())
    return text


def turkish_spellings(name: Name) -> Spellings:
    canonical = name.spellings[0]
    base = canonical.replace("İ", "I").replace("ı", "i")
    return _unique([
        (canonical, "Turkish orthography"),
        (_replace_all(base, (("ç", "c"), ("ğ", "g"), ("ö", "oe"), ("ş", "s"), ("ü", "ue"))),
         "ICAO Doc 9303"),
        (_replace_all(base, (("ç", "c"), ("ğ", "g"), ("ö", "o"), ("ş", "s"), ("ü", "u"))),
         "diacritics dropped"),
        (_replace_all(base, (("ç", "ch"), ("ğ", "g"), ("ö", "o"), ("ş", "sh"), ("ü", "u"))),
         "English phonetic"),
        (_replace_all(canonical.replace("İ", "I").replace("ı", "i"),
                      (("c", "dsch"), ("ç", "tsch"), ("ş", "sch"), ("ğ", "g"))),
         "German phonetic (older registers)"),
    ])


_SERBO_CROATIAN = (("xh", "dž"), ("gj", "đ"), ("sh", "š"), ("zh", "ž"), ("th", "t"),
                   ("dh", "d"), ("ll", "l"), ("rr", "r"), ("ç", "č"), ("q", "ć"),
                   ("ë", "e"), ("y", "i"), ("x", "dz"))


def albanian_spellings(name: Name) -> Spellings:
    canonical = name.spellings[0]
    serbo_croatian = _replace_all(canonical, _SERBO_CROATIAN)
    return _unique([
        (canonical, "Albanian orthography"),
        (_replace_all(canonical, (("ç", "c"), ("ë", "e"))), "diacritics dropped"),
        (_replace_all(canonical, (("xh", "dsch"), ("sh", "sch"), ("ç", "tsch"), ("ë", "e"))),
         "German phonetic"),
        (serbo_croatian, "Serbo-Croatian (Yugoslav civil register)"),
        (_replace_all(serbo_croatian, (("dž", "dz"), ("đ", "dj"), ("š", "s"), ("ž", "z"),
                                       ("č", "c"), ("ć", "c"))),
         "Yugoslav register, diacritics dropped"),
    ])


def kurdish_spellings(name: Name) -> Spellings:
    canonical = name.spellings[0]
    vowels = (("ê", "e"), ("î", "i"), ("û", "u"))
    return _unique([
        (canonical, "Kurmanji Latin (Hawar)"),
        *((spelling, "usual spelling on Iraqi/Syrian documents")
          for spelling in name.spellings[1:]),
        (_replace_all(canonical, (("ç", "c"), ("ş", "s"), *vowels)), "diacritics dropped"),
        (_replace_all(canonical, (("c", "j"), ("ç", "ch"), ("ş", "sh"), ("x", "kh"),
                                  *vowels)), "English phonetic"),
        (_replace_all(canonical, (("c", "dsch"), ("ç", "tsch"), ("ş", "sch"), ("x", "ch"),
                                  *vowels)), "German phonetic"),
        (_replace_all(canonical, (("x", "h"), ("w", "v"), *vowels)), "Turkish register"),
    ])


def german_spellings(name: Name) -> Spellings:
    found: Spellings = []
    for spelling in name.spellings:
        found.append((spelling, "German orthography"))
        found.append((_replace_all(spelling, (("ä", "ae"), ("ö", "oe"), ("ü", "ue"),
                                              ("ß", "ss"))), "ICAO Doc 9303"))
        found.append((_replace_all(spelling, (("ä", "a"), ("ö", "o"), ("ü", "u"),
                                              ("ß", "ss"))), "diacritics dropped"))
    return _unique(found)


def curated_spellings(name: Name, source: str) -> Spellings:
    return _unique((spelling, source) for spelling in name.spellings)
