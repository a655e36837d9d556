"""The labelled evaluation set of duplicate detection: pairs of person records, each labelled
``match`` (one person written twice) or ``non_match`` (two people), with the category of
naming practice or error it stands for and its split.

The set is generated (:mod:`tests.intake.matching.generator`) from documented
transliteration and naming practice and written to ``pairs.csv`` beside this module, so that
every change to it is reviewed as data. The ``holdout`` split is never used for tuning: the
model's weights and thresholds are estimated on ``train`` alone, and recall and precision are
reported on ``holdout`` only (docs/intake.md).

One CSV row per pair; each side has the columns of :class:`PersonRecord` with the prefix
``left_`` or ``right_``. Empty cells are unknown values. Lists are separated by ``;``; a file
number is ``kind:number`` with the kinds of ``FileNumberKind`` in intake's identity model.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

PAIRS = Path(__file__).with_name("pairs.csv")
SPLITS = ("train", "holdout")
LABELS = ("match", "non_match")


@dataclass(frozen=True)
class PersonRecord:
    """What intake knows of a person when it checks for duplicates, as typed by staff."""

    family_name: str
    given_names: str
    birth_date: date
    gender: str = ""  # female, male, diverse, unspecified, or "" when not asked
    nationalities: tuple[str, ...] = ()  # ISO 3166-1 alpha-3
    birth_place: str = ""
    file_numbers: tuple[tuple[str, str], ...] = ()  # (kind, number)


@dataclass(frozen=True)
class LabelledPair:
    pair_id: str
    split: str  # train | holdout
    category: str  # e.g. "arabic-script-to-latin", "twins"
    label: str  # match | non_match
    left: PersonRecord
    right: PersonRecord
    note: str = ""

    @property
    def is_match(self) -> bool:
        return self.label == "match"


PERSON_COLUMNS = [field.name for field in fields(PersonRecord)]
COLUMNS = (["pair_id", "split", "category", "label"]
           + [f"{side}_{name}" for side in ("left", "right") for name in PERSON_COLUMNS]
           + ["note"])


def _person(row: dict[str, str], side: str) -> PersonRecord:
    cell = {name: row[f"{side}_{name}"] for name in PERSON_COLUMNS}
    return PersonRecord(
        family_name=cell["family_name"], given_names=cell["given_names"],
        birth_date=date.fromisoformat(cell["birth_date"]), gender=cell["gender"],
        nationalities=tuple(code for code in cell["nationalities"].split(";") if code),
        birth_place=cell["birth_place"],
        file_numbers=tuple(tuple(entry.split(":", 1)) for entry in  # type: ignore[misc]
                           cell["file_numbers"].split(";") if entry))


def _cells(person: PersonRecord, side: str) -> dict[str, str]:
    return {f"{side}_family_name": person.family_name,
            f"{side}_given_names": person.given_names,
            f"{side}_birth_date": person.birth_date.isoformat(),
            f"{side}_gender": person.gender,
            f"{side}_nationalities": ";".join(person.nationalities),
            f"{side}_birth_place": person.birth_place,
            f"{side}_file_numbers": ";".join(f"{kind}:{number}"
                                             for kind, number in person.file_numbers)}


def load_pairs(path: Path = PAIRS, *, split: str | None = None) -> list[LabelledPair]:
    """The labelled pairs, all or those of one ``split``."""
    with path.open(encoding="utf-8", newline="") as file:
        pairs = [LabelledPair(row["pair_id"], row["split"], row["category"], row["label"],
                              _person(row, "left"), _person(row, "right"), row["note"])
                 for row in csv.DictReader(file)]
    return [pair for pair in pairs if split is None or pair.split == split]


def write_pairs(pairs: list[LabelledPair], path: Path = PAIRS) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for pair in pairs:
            writer.writerow({"pair_id": pair.pair_id, "split": pair.split,
                             "category": pair.category, "label": pair.label,
                             **_cells(pair.left, "left"), **_cells(pair.right, "right"),
                             "note": pair.note})
