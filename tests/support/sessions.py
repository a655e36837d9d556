"""Counting the sessions a service's units of work open: how a test shows that a page reads on
one session per request (issue 22 item 5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.shared.db.unit_of_work import UnitOfWorkFactory


def counted_sessions(uow: UnitOfWorkFactory[Any]) -> list[int]:
    """Counts the sessions ``uow``'s units open from now on (``opened[0]``)."""
    opened = [0]
    sessions = uow.sessions

    def counting() -> AsyncSession:
        opened[0] += 1
        return sessions()

    # The factory only ever calls its sessionmaker, so a counting function stands in for it.
    uow.sessions = counting
    return opened
