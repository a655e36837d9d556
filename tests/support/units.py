"""Counting the units of work a service opens, for tests that hold a page to one unit per
request (what it shows from one transaction, one connection however long the page)."""

from __future__ import annotations

from typing import Self, TypeVar, cast

from ankommen.shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory

UnitT = TypeVar("UnitT", bound=UnitOfWork)


def count_units(units: UnitOfWorkFactory[UnitT], unit_type: type[UnitT]
                ) -> list[UnitOfWork]:
    """From now on every unit ``units`` builds (a ``unit_type``) is appended to the list
    returned when it is entered; clear the list before each request."""
    entered: list[UnitOfWork] = []

    class Counted(unit_type):
        async def __aenter__(self) -> Self:
            entered.append(self)
            return await super().__aenter__()

    # A subclass of unit_type: pyright does not follow a class built on a TypeVar's value.
    units.unit_type = cast("type[UnitT]", Counted)
    return entered
