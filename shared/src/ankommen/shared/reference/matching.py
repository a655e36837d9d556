"""From what a clerk types to the code that is stored: the server side of a picker.

A picker must work without JavaScript, so the server resolves the typed text. The rules
(the same for countries, languages and municipalities):

- The code itself (``SYR``, ``ara``, ``03358021``), in any case, is that code.
- A name or a known variant, in German or English, in any case, with or without diacritics
  and in either German umlaut spelling (``Türkei``, ``Tuerkei``, ``TÜRKEI``), is its code.
- A name that stands for several codes (``Kurdisch``, ``Kongo``) resolves to none: the clerk
  chooses among the candidates.
- Anything else resolves to none, with up to three close names as suggestions. A near miss
  is never taken silently: ``Iran`` and ``Irak`` are one letter apart, and a corrected typo
  would store a person's nationality that nobody chose.

Indexes are built once per list (the lists are module-level singletons), so a lookup is a
dictionary access, and only unknown text pays for the fuzzy search (rapidfuzz, in C).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

#: The languages names are shown in: German first, English switchable.
Lang = Literal["de", "en"]
LANGS: tuple[Lang, ...] = ("de", "en")

#: How many suggestions an unknown text gets at most, and how close they must be (0–100).
MAX_SUGGESTIONS = 3
SUGGESTION_CUTOFF = 75.0
#: Typed text of at least this many letters also suggests the names it begins.
MIN_PREFIX = 3
#: Longer text is no name (the longest is under 80 characters) and gets no fuzzy search.
MAX_TEXT_LENGTH = 120
#: At most this many values in one field (the contracts allow at most 10 languages): each
#: unknown value costs a fuzzy search over every name, so ten thousand commas in a form
#: field must not buy seconds of CPU.
MAX_VALUES = 20


class TooManyValues(ValueError):
    """More values in one field than :data:`MAX_VALUES`."""
#: What separates several values typed into one field. Not "und"/"and": names contain it
#: ("Bosnien und Herzegowina", "Trinidad and Tobago").
_SEPARATORS = re.compile(r"[,;/\n]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str, *, umlauts: bool = True) -> str:
    """The comparison key of a name: lower case, German umlauts spelt out (``umlauts``) or
    dropped like other diacritics, punctuation and runs of spaces as one space.

    ``Türkei``, ``Tuerkei`` and ``TÜRKEI`` fold alike. Names are indexed under both keys, so
    ``Turkei`` (the dots left off) finds ``Türkei`` too.
    """
    text = unicodedata.normalize("NFC", text).casefold()
    if umlauts:
        text = text.translate(_UMLAUTS)
    text = text.replace("ß", "ss")
    text = "".join(char for char in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", text).strip()


def german_sort_key(name: str) -> tuple[str, str]:
    """Sort key for German lists after DIN 5007-1 (dictionary order): Ä as A, Ö as O, Ü as U,
    ß as ss, case, punctuation and other diacritics ignored, so ``Ägypten`` sorts between
    ``Afghanistan`` and ``Albanien``, not after ``Zypern`` as code-point order would put it.
    Ties are broken by the name itself, so the order is total."""
    return fold(name, umlauts=False), name


def texts(key: str) -> dict[Lang, str]:
    """The German and English text of ``key`` from this package's catalogue
    (``locale/<lang>/LC_MESSAGES/reference.po``): names chosen here are page texts, kept
    where translators work. Raises KeyError for a key without both texts."""
    # Imported when a list is first built, not with this module: the page frame may import
    # the reference lists, and ankommen.shared.web imports the page frame.
    from ankommen.shared.web.i18n import package_catalogue

    found = package_catalogue(__package__ or "ankommen.shared.reference")[key]
    return {lang: found[lang] for lang in LANGS}


@dataclass(frozen=True, slots=True)
class Option:
    """One entry of a picker: the code that is stored and the name that is shown."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a typed text resolved to.

    Exactly one of these holds: the text was empty (:attr:`empty`); it named one code
    (:attr:`code`); it named several (:attr:`candidates`, the clerk chooses); it named none
    (:attr:`suggestions` may offer up to three close names, possibly none).
    """

    text: str
    code: str | None = None
    candidates: tuple[Option, ...] = ()
    suggestions: tuple[Option, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text

    @property
    def resolved(self) -> bool:
        return self.code is not None

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates)

    @property
    def unknown(self) -> bool:
        return bool(self.text) and self.code is None and not self.candidates


@dataclass(frozen=True, slots=True)
class Entry:
    """A code with its names (one per language) and the other texts that mean it."""

    code: str
    names: Mapping[Lang, str]
    #: Further spellings in either language (official names, colloquial names, endonyms).
    variants: tuple[str, ...] = ()
    #: The code that replaced this one (a municipality merged into another). Such a code is
    #: kept so that stored values still show a name; it is not offered in pickers, and typing
    #: it resolves to its successor.
    replaced_by: str | None = None

    @property
    def current(self) -> bool:
        return self.replaced_by is None


@dataclass(frozen=True, slots=True)
class Alias:
    """A text that means one or several codes; several make it ambiguous (``Kurdisch``)."""

    text: str
    codes: tuple[str, ...]


@dataclass
class ReferenceList:
    """An authoritative list of codes with German and English names, and its indexes.

    ``first`` are codes shown at the top of :meth:`options` in this order (the common
    arrival languages); the rest follow alphabetically by name (German collation for German).
    ``code_case`` is how codes are written, so that typed codes are recognised in any case
    (``syr`` is ``SYR``; ``ARA`` is ``ara``; municipality keys are digits).
    """

    entries: Sequence[Entry]
    aliases: Sequence[Alias] = ()
    first: Sequence[str] = ()
    #: Codes shown at the end of :meth:`options`, in this order (``staatenlos``, ``ungeklärt``).
    last: Sequence[str] = ()
    code_case: Literal["upper", "lower", "digits"] = "upper"
    _by_code: dict[str, Entry] = field(init=False, repr=False)
    _by_text: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    _choices: list[str] = field(init=False, repr=False)
    _options: dict[Lang, tuple[Option, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {entry.code: entry for entry in self.entries}
        for entry in self.entries:
            if entry.replaced_by is not None and entry.replaced_by not in self._by_code:
                raise ValueError(f"{entry.code} is replaced by unknown {entry.replaced_by}")
            self._current(entry.code)
        missing = [code for code in (*self.first, *self.last) if code not in self._by_code]
        if missing:
            raise ValueError(f"codes to show first or last are not in the list: {missing}")

        def index(texts: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
            by_text: dict[str, list[str]] = {}
            for text, code in texts:
                for key in {fold(text), fold(text, umlauts=False)}:
                    if key and code not in by_text.setdefault(key, []):
                        by_text[key].append(code)
            return by_text

        # A name shown for one code wins over the same text as another code's variant:
        # "Malaiisch" is Malay's name, and only a by-name of Banjar and others.
        by_text = index((variant, entry.code) for entry in self.entries
                        for variant in entry.variants)
        by_text.update(index((name, entry.code) for entry in self.entries
                             for name in entry.names.values()))
        self._by_text = {key: tuple(codes) for key, codes in by_text.items()}
        # An alias replaces what the names alone would say (``Kurdisch`` is the German name
        # of the macrolanguage ``kur`` but a clerk who types it means one of its varieties).
        for alias in self.aliases:
            unknown = [code for code in alias.codes if code not in self._by_code]
            if unknown:
                raise ValueError(f"alias {alias.text!r} names unknown codes {unknown}")
            self._by_text[fold(alias.text)] = alias.codes
        self._choices = list(self._by_text)
        self._options = {lang: self._ordered(lang) for lang in LANGS}

    def _ordered(self, lang: Lang) -> tuple[Option, ...]:
        placed = {*self.first, *self.last}
        rest = sorted((Option(entry.code, entry.names[lang]) for entry in self.entries
                       if entry.current and entry.code not in placed),
                      key=lambda option: german_sort_key(option.name))
        return (*(self._option(code, lang) for code in self.first), *rest,
                *(self._option(code, lang) for code in self.last))

    # Reading: code → name, the options of a picker.

    @property
    def codes(self) -> frozenset[str]:
        """Every code this list knows (current or kept for stored values)."""
        return frozenset(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def name(self, code: str, lang: Lang = "de") -> str | None:
        """The name to show for a stored code; None for a code this list does not know."""
        entry = self._by_code.get(self._normalise_code(code))
        return entry.names[lang] if entry else None

    def label(self, code: str, lang: Lang = "de") -> str:
        """The name to show, or the code itself for a code this list does not know (a value
        stored before the list was introduced must still show as something)."""
        return self.name(code, lang) or code

    def options(self, lang: Lang = "de") -> tuple[Option, ...]:
        """``(code, name)`` pairs in display order, for a ``<datalist>`` or ``<select>``."""
        return self._options[lang]

    # Resolving typed text.

    def resolve(self, text: str, lang: Lang = "de") -> Resolution:
        """The code ``text`` stands for (see the module docstring for the rules); names in
        the result (candidates, suggestions) are in ``lang``."""
        text = " ".join(text.split())
        if not text:
            return Resolution(text)
        entry = self._by_code.get(self._normalise_code(text))
        if entry is not None and text == entry.code:
            return Resolution(text, self._current(entry.code))
        codes = self._by_text.get(fold(text), ())
        if entry is not None and entry.code not in codes:
            # A code in another case that is also another entry's name ("Mon", a language
            # of Myanmar; ``mon`` is Mongolian): both are candidates.
            codes = (entry.code, *codes)
        if codes:
            current = tuple(dict.fromkeys(self._current(code) for code in codes))
            if len(current) == 1:
                return Resolution(text, current[0])
            return Resolution(text, candidates=tuple(self._option(code, lang)
                                                     for code in current))
        if len(text) > MAX_TEXT_LENGTH:
            return Resolution(text)
        return Resolution(text, suggestions=self._suggest(text, lang))

    def resolve_many(self, text: str, lang: Lang = "de", *, limit: int = MAX_VALUES
                     ) -> list[Resolution]:
        """Several values typed into one field, separated by commas, semicolons, slashes or
        line breaks (``Arabisch, Kurdisch (Sorani)``): one resolution each, in order,
        duplicates and empty parts dropped. A name that itself contains a comma
        (``Korea, Republik``, ``Iran, Islamische Republik``) is kept whole when its second
        part is no name of its own.
        Raises :class:`TooManyValues` beyond ``limit`` parts."""
        parts = [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
        if len(parts) > limit:
            raise TooManyValues(f"at most {limit} values, not {len(parts)}")
        results: list[Resolution] = []
        seen: set[str] = set()
        index = 0
        while index < len(parts):
            result = self.resolve(parts[index], lang)
            if index + 1 < len(parts):
                joined = self.resolve(f"{parts[index]}, {parts[index + 1]}", lang)
                if joined.resolved and not self.resolve(parts[index + 1], lang).resolved:
                    result = joined
                    index += 1
            index += 1
            if result.code is not None:
                if result.code in seen:
                    continue
                seen.add(result.code)
            results.append(result)
        return results

    def _normalise_code(self, text: str) -> str:
        text = text.strip()
        if self.code_case == "upper":
            return text.upper()
        if self.code_case == "lower":
            return text.lower()
        return text

    def _current(self, code: str) -> str:
        """The code a stored or typed code stands for today (its successor, if replaced)."""
        seen = {code}
        while (successor := self._by_code[code].replaced_by) is not None:
            if successor in seen:
                raise ValueError(f"codes replace each other in a circle: {sorted(seen)}")
            seen.add(successor)
            code = successor
        return code

    def _option(self, code: str, lang: Lang) -> Option:
        return Option(code, self._by_code[code].names[lang])

    def _suggest(self, text: str, lang: Lang) -> tuple[Option, ...]:
        """Close names for an unknown text: names it begins (``Afgh``), then names a typo or
        two away (``Syrein``, ``Arabsich``), best first."""
        key = fold(text)
        if not key:
            return ()
        found: list[str] = []
        if len(key) >= MIN_PREFIX:
            found += sorted((choice for choice in self._choices if choice.startswith(key)),
                            key=len)
        found += [choice for choice, _score, _index in process.extract(
            key, self._choices, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF,
            limit=MAX_SUGGESTIONS * 4)]
        suggestions: dict[str, Option] = {}
        for choice in found:
            for code in self._by_text[choice]:
                code = self._current(code)
                if code not in suggestions:
                    suggestions[code] = self._option(code, lang)
        return tuple(suggestions.values())[:MAX_SUGGESTIONS]
