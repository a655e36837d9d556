"""The county's municipalities by name, with their official keys (*Amtlicher Gemeindeschlüssel*).

Intake stores where a person lives as an official region key (``RegionKey``: the 8-digit
municipality key, or the 5-digit district key when the municipality is not known). Clerks
know the municipality by its name, so the picker offers the county's municipalities — the
county being the districts of the ``ANKOMMEN_COUNTY_DISTRICTS`` setting.

Shipped: ``data/municipalities.csv``, the municipalities and unincorporated areas
(*gemeindefreie Bezirke*) of Landkreis Heidekreis (03358, the demo county) and Landkreis
Celle (03351), keys and names as in the Federal Statistical Office's municipality directory
(GV-ISys) in the territorial status since 1 January 2020, when Bomlitz (03358004) and
Walsrode (03358022) became the new town of Walsrode (03358024); the former keys are kept so
that stored values still show a name, and typing one gives its successor
(docs/reference-data.md: source, date, how to update).

Any other county names its own directory file (``ANKOMMEN_MUNICIPALITY_DIRECTORY_FILE``), a
UTF-8 CSV with a header row and the columns ``ags`` (8 digits, or 5 for the district's own
row) and ``name``, optionally ``kind`` (``municipality``, ``unincorporated``, ``district``)
and ``replaced_by`` (the key that replaced a former one). Rows outside the county's districts
are ignored, so a whole-Germany extract of GV-ISys serves every county. Start-up fails with a
message naming the setting when a district of the county has no municipality in either.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, cast

from ankommen.shared.reference.matching import LANGS, Entry, Lang, ReferenceList, texts
from ankommen.shared.text import REFUSED_CATEGORIES

#: Where the shipped directory comes from, and its territorial status.
SOURCE = ("Statistisches Bundesamt (Destatis), Gemeindeverzeichnis-Informationssystem GV-ISys; "
          "cross-checked against BKG VG250 (Verwaltungsgebiete 1:250 000)")
TERRITORIAL_STATUS = "2020-01-01"
#: The districts the shipped directory covers.
SHIPPED_DISTRICTS = frozenset({"03351", "03358"})

Kind = Literal["municipality", "unincorporated", "district"]
_KINDS: frozenset[str] = frozenset({"municipality", "unincorporated", "district"})
_KEY = re.compile(r"^\d{5}(\d{3})?$")
MAX_NAME_LENGTH = 100
_QUALIFIER = re.compile(r"\s*\([^)]*\)$")
_SPA = re.compile(r"^Bad\s+")



class DirectoryError(ValueError):
    """The municipality directory cannot serve the county (a bad row, a district missing)."""


@dataclass(frozen=True, slots=True)
class Row:
    ags: str
    name: str
    kind: Kind
    replaced_by: str | None


def read_rows(text: str, origin: str) -> Iterator[Row]:
    """The rows of a directory CSV, checked; ``origin`` names the file in errors."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"ags", "name"} <= set(reader.fieldnames):
        raise DirectoryError(f"{origin}: the header row must name the columns ags and name")
    for number, record in enumerate(reader, start=2):
        ags = (record.get("ags") or "").strip()
        name = " ".join((record.get("name") or "").split())
        kind = (record.get("kind") or "").strip() or ("district" if len(ags) == 5
                                                      else "municipality")
        replaced_by = (record.get("replaced_by") or "").strip() or None
        where = f"{origin}, line {number}"
        if not _KEY.match(ags):
            raise DirectoryError(f"{where}: ags {ags!r} is not an 8-digit municipality key "
                                 "or a 5-digit district key")
        if not name or len(name) > MAX_NAME_LENGTH or any(
                unicodedata.category(char) in REFUSED_CATEGORIES for char in name):
            raise DirectoryError(f"{where}: name must be 1 to {MAX_NAME_LENGTH} characters "
                                 "without control or direction characters")
        if kind not in _KINDS or (kind == "district") != (len(ags) == 5):
            raise DirectoryError(f"{where}: kind {kind!r} must be municipality or "
                                 "unincorporated for an 8-digit key, district for a 5-digit one")
        if replaced_by is not None and not _KEY.match(replaced_by):
            raise DirectoryError(f"{where}: replaced_by {replaced_by!r} is not a key")
        yield Row(ags, name, cast(Kind, kind), replaced_by)


def shipped_rows() -> list[Row]:
    """The rows of the directory shipped with ankommen."""
    text = (resources.files("ankommen.shared.reference") / "data" / "municipalities.csv"
            ).read_text(encoding="utf-8")
    return list(read_rows(text, "the shipped municipalities.csv"))


def _entries(rows: Iterable[Row]) -> list[Entry]:
    rows = list(rows)
    # Two current municipalities of the county with one name (Neuenkirchen is a name in
    # several districts): the key tells them apart on the page.
    same_name = Counter(row.name for row in rows if row.replaced_by is None)
    entries: list[Entry] = []
    for row in rows:
        shown = row.name if same_name[row.name] == 1 or row.replaced_by else \
            f"{row.name} ({row.ags})"
        names: dict[Lang, str] = {lang: shown for lang in LANGS} if row.kind == "municipality" \
            else {lang: text.format(name=shown) for lang, text in
                  texts(f"reference.municipality.{row.kind}").items()}
        # What clerks leave off: the river after a town ("Rethem" for "Rethem (Aller)"), the
        # spa title ("Fallingbostel", its name until 2001).
        short = _QUALIFIER.sub("", row.name)
        variants = tuple({row.name, shown, short, _SPA.sub("", short)} - set(names.values()))
        entries.append(Entry(row.ags, names, variants, replaced_by=row.replaced_by))
    return entries


@functools.cache
def _directory_rows(districts: frozenset[str], directory_file: Path | None
                    ) -> tuple[Row, ...]:
    """The directory's rows of the county's ``districts`` (the county's own file replacing the
    shipped rows of the districts it covers), in key order; not checked for completeness."""
    rows = {row.ags: row for row in shipped_rows()}
    if directory_file is not None:
        try:
            text = directory_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise DirectoryError(f"ANKOMMEN_MUNICIPALITY_DIRECTORY_FILE: cannot read "
                                 f"{directory_file}: {error}") from None
        county_rows = [row for row in read_rows(text, str(directory_file))
                       if row.ags[:5] in districts]
        duplicates = [ags for ags, count in Counter(row.ags for row in county_rows).items()
                      if count > 1]
        if duplicates:
            raise DirectoryError(f"{directory_file}: keys listed twice: {sorted(duplicates)}")
        # The county's own file is the newer word on its districts: it replaces the shipped
        # rows of those districts entirely.
        covered = {row.ags[:5] for row in county_rows}
        rows = {ags: row for ags, row in rows.items() if ags[:5] not in covered}
        rows.update((row.ags, row) for row in county_rows)
    return tuple(sorted((row for row in rows.values() if row.ags[:5] in districts),
                        key=lambda row: row.ags))


@functools.cache
def _county_rows(districts: frozenset[str], directory_file: Path | None) -> tuple[Row, ...]:
    """The directory's rows of the county's ``districts``, checked, in key order."""
    chosen = _directory_rows(districts, directory_file)
    missing = sorted(district for district in districts
                     if not any(row.ags[:5] == district and row.kind != "district"
                                for row in chosen))
    if missing:
        raise DirectoryError(
            f"no municipalities known for the district(s) {', '.join(missing)} of "
            "ANKOMMEN_COUNTY_DISTRICTS: ankommen ships those of "
            f"{', '.join(sorted(SHIPPED_DISTRICTS))}; set "
            "ANKOMMEN_MUNICIPALITY_DIRECTORY_FILE to a CSV of the county's municipalities "
            "(columns ags,name; docs/reference-data.md)")
    known = {row.ags for row in chosen}
    dangling = sorted(row.ags for row in chosen
                      if row.replaced_by is not None and row.replaced_by not in known)
    if dangling:
        raise DirectoryError(f"former keys replaced by keys not in the directory: {dangling}")
    return chosen


@functools.cache
def _municipalities(districts: frozenset[str], directory_file: Path | None) -> ReferenceList:
    chosen = _county_rows(districts, directory_file)
    districts_last = [row.ags for row in chosen if row.kind == "district"]
    return ReferenceList(_entries(chosen), last=districts_last, code_case="digits")


def municipalities(districts: Iterable[str], directory_file: Path | None = None
                   ) -> ReferenceList:
    """The municipalities of the county's ``districts`` (5-digit keys), from the shipped
    directory or the county's own ``directory_file``; built once per county.

    Options: the municipalities by name, then each district's own row
    (``Landkreis Heidekreis (Gemeinde nicht bekannt)``, its 5-digit key).
    Raises :class:`DirectoryError` when a district has no municipality.
    """
    return _municipalities(frozenset(districts), directory_file)


def district_names(districts: Iterable[str], directory_file: Path | None = None
                   ) -> dict[str, str]:
    """The names of the county's districts (``03358`` → ``Landkreis Heidekreis``) from the
    directory's district rows, for pages that show a district rather than a municipality; a
    district the directory has no row for is left out (the page says "Kreis 03358"), and
    unlike :func:`municipalities` a district without municipalities is no error: a page that
    only names districts must not fail over a county the directory does not cover."""
    return {row.ags: row.name
            for row in _directory_rows(frozenset(districts), directory_file)
            if row.kind == "district"}
