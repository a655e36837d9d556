"""The scheduled allocation round: besides the steps that events trigger, one every
``allocation_interval_minutes`` — the full optimiser over everyone waiting (issue 21, item 3:
batches of events place incrementally, :func:`~ankommen.assignment.service.allocation.
place_incrementally`; the round re-weighs everybody, re-states every waiting reason and
leaves a fresh candidate index). The day is the service clock's (``uow.clock``), so tests
move it.

Events alone leave gaps. A month in which nobody registers, declines or finishes a course
sees no allocation, so monitoring gets neither that month's unmet demand (``DemandUnmetFact``,
once per waiting person and month) nor its seat figures (``CourseCapacityFact``), and its
tables show the month as if there were no courses and nobody waiting. A regular round closes
that gap within the interval after a month begins. Likewise a day without events still gets
its day turn (courses starting and ending, offers expiring: ``service/day_turn.py``) within
the interval after midnight, since every round begins with it. Nothing is announced twice:
unmet demand is booked per person and month, capacity only when the month's figures change,
a round that finds no new seat for anybody places nobody, and a second day turn on the same
day finds nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.service.allocation import AllocationPolicy, reallocate
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.repeating import repeating

logger = logging.getLogger(__name__)


def scheduled_rounds(uow: UnitOfWorkFactory[AssignmentUnitOfWork], policy: AllocationPolicy,
                     interval_seconds: float) -> Callable[[], Awaitable[None]]:
    """The background job: a round every ``interval_seconds`` (the shared repeating job), the
    first one after the first interval (start-up is busy enough, and the first batch of events
    after a start runs the full optimiser anyway: no kept candidate index yet)."""
    rounds = repeating("scheduled allocation round", lambda: allocation_round(uow, policy),
                       interval_seconds)

    async def run_rounds() -> None:
        await asyncio.sleep(interval_seconds)
        await rounds()

    return run_rounds


async def allocation_round(uow: UnitOfWorkFactory[AssignmentUnitOfWork], policy: AllocationPolicy,
                           today: date | None = None) -> bool:
    """One round in its own transaction; False (and a warning) if it failed — the next
    round tries again, and nothing half-done is kept."""
    try:
        async with uow() as unit:
            await reallocate(unit, policy, today)
            await unit.commit()
    except asyncio.CancelledError:
        raise
    except Exception as error:  # e.g. the database is unreachable: try at the next round
        logger.warning("scheduled allocation round failed", extra={
            "error": type(error).__name__})
        return False
    return True
