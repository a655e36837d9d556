"""The candidate index kept between allocations (issue 21, item 3): who on the waiting list
fits which course of the offer, so that a batch of events places its people without reading
and re-indexing the whole waiting list.

What is kept, per process and per database (engine): for every waiting person the ids of the
offered courses that fit them (the structural rules and declined courses; free seats are read
anew each time). That is all an incremental step needs to find who could take a free seat:
everyone else fits no course with a free seat, so the full optimiser would leave them waiting
too (:func:`ankommen.assignment.service.allocation.place_incrementally`).

When it may be used — otherwise the step runs the full optimiser and the index is built anew
from that run's candidates (lazily: after a start, the first batch runs in full):

- **Nobody else allocated since.** Every allocation, day turn and placement by hand takes the
  allocation lock, which counts up ``allocation_lock.runs``. The index is kept with the count
  its own transaction wrote, and only once that transaction committed (a rolled-back run
  leaves no index). A step that finds the count more than one above it (another instance, a
  placement by hand, a coordinator's run, a change of the catalogue) rebuilds. With several
  instances each one's index is valid only while it is the one that allocates.
- **The same day.** The offer and the priorities move with the calendar: the first batch of
  each day runs in full (after that day's turn), which also re-states everyone's waiting
  reason and the month's unmet demand.
- **The same catalogue.** A fingerprint of what decides who fits each offered course
  (:func:`ankommen.assignment.domain.candidates.fit_key`); any change of the catalogue
  (published, changed, cancelled, postponed, approved) rebuilds it.
- **The same people.** The batch's events name the people they touch; those are looked up
  again. The waiting list's size is checked against the index's as a last guard.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.candidates import fit_key
from ankommen.assignment.domain.courses import Seats


def catalogue_key(offer: Sequence[Seats]) -> int:
    """The fingerprint of the offer as far as fitting goes (not free seats)."""
    return hash(tuple(fit_key(seats) for seats in offer))


@dataclass(frozen=True)
class KeptIndex:
    #: ``allocation_lock.runs`` as the transaction that built it left it.
    runs: int
    day: date
    catalogue: int
    #: Per waiting person, the ids of the offered courses that fit them.
    fits: dict[str, frozenset[str]]
    #: Waiting-list rows without a case here (never allocated, not in ``fits``).
    without_case: int


class PlacementIndex:
    """The kept index of one database, replaced only after a commit."""

    def __init__(self) -> None:
        self._kept: KeptIndex | None = None

    def usable(self, runs: int, day: date, catalogue: int) -> KeptIndex | None:
        """The kept index if nobody else took the allocation lock since (``runs`` is the
        count after this transaction's own increment), on the same day and catalogue."""
        kept = self._kept
        if kept is None or kept.runs + 1 != runs or kept.day != day \
                or kept.catalogue != catalogue:
            return None
        return kept

    def keep_after_commit(self, uow: AssignmentUnitOfWork, kept: KeptIndex) -> None:
        """Use ``kept`` from the moment ``uow``'s transaction commits; until then (and for
        good if it rolls back) there is none."""
        self._kept = None

        def committed() -> None:
            self._kept = kept

        uow.on_commit(committed)

    def forget(self) -> None:
        self._kept = None


_INDEXES: weakref.WeakKeyDictionary[object, PlacementIndex] = weakref.WeakKeyDictionary()


def placement_index(database: object) -> PlacementIndex:
    """The kept index of ``database`` (a unit's ``database``: one per engine, so two runtimes
    of one process — tests — never share one)."""
    index = _INDEXES.get(database)
    if index is None:
        index = _INDEXES[database] = PlacementIndex()
    return index
