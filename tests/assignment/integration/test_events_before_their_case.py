"""Case events that arrive before the case's registration (the registration was parked in
intake's outbox and released later, or dead-lettered and replayed) are parked, not dropped:
assignment ends in the state that commit order gives. An erasure deletes what was parked."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import func, select

from ankommen.assignment.adapters.tables import cases, parked_events, waiting_people
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.intake import (
    CaseClosed,
    CaseErased,
    CaseRegistered,
    ClosureReason,
    Survey,
    SurveyUpdated,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.messaging.topics import CASES
from ankommen.shared.runtime import ServiceRuntime
from tests.e2e.test_idempotency_and_dead_letters import produce
from tests.support.polling import eventually
from tests.support.services import in_process
from tests.support.surveys import survey

CHANGES = {"german_level": "B1", "region_key": "03358022"}


def lifecycle(pseudonym: str) -> dict[str, EventData]:
    return {
        "registered": CaseRegistered(pseudonym=pseudonym, registered_on=date(2026, 11, 2),
                                     survey=Survey(**survey(german_level="A1",
                                                            region_key="03358021"))),
        "updated": SurveyUpdated(pseudonym=pseudonym, changes=CHANGES),
        "closed": CaseClosed(pseudonym=pseudonym, closed_on=date(2026, 11, 20),
                             reason=ClosureReason.MOVED_AWAY),
        "erased": CaseErased(pseudonym=pseudonym),
    }


async def state_of(runtime: ServiceRuntime, pseudonym: str) -> tuple:
    """What assignment holds about one case: its row and its place on the waiting list."""
    async with runtime.sessions() as session:
        case = (await session.execute(select(cases.c.survey, cases.c.registered_on,
                                             cases.c.closed)
                                      .where(cases.c.pseudonym == pseudonym))).first()
        waiting = (await session.execute(
            select(waiting_people.c.region_key, waiting_people.c.german_level,
                   waiting_people.c.waiting_since, waiting_people.c.reason)
            .where(waiting_people.c.pseudonym == pseudonym))).first()
    return (tuple(case) if case else None), (tuple(waiting) if waiting else None)


async def test_case_events_before_the_registration_end_as_in_commit_order(kafka, databases):
    scenarios = {  # name: the order assignment receives them in, then the commit order
        "update": (["updated", "registered"], ["registered", "updated"]),
        "closure": (["updated", "closed", "registered"], ["registered", "updated", "closed"]),
    }
    people: dict[tuple[str, str], str] = {}
    messages: list[tuple[bytes, bytes]] = []
    for name, orders in scenarios.items():
        for order_name, order in zip(("received", "committed"), orders, strict=True):
            pseudonym = people[name, order_name] = secrets.token_urlsafe(24)
            events = lifecycle(pseudonym)
            messages += [(pseudonym.encode(), registry.envelope(
                events[step], source="/ankommen/intake", subject=pseudonym).to_bytes())
                for step in order]
    erased = secrets.token_urlsafe(24)
    messages += [(erased.encode(), registry.envelope(lifecycle(erased)[step],
                                                     source="/ankommen/intake",
                                                     subject=erased).to_bytes())
                 for step in ("updated", "erased")]
    await produce(kafka.bootstrap_servers, CASES.name, messages)

    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("assignment")) as assignment:
        runtime = assignment.runtime
        inbox = runtime.definition.tables.inbox

        async def handled() -> int:
            async with runtime.sessions() as session:
                return await session.scalar(select(func.count()).select_from(inbox))

        await eventually(handled, until=lambda count: count == len(messages), timeout=60,
                         what="every case event handled")
        for name in scenarios:
            received = await state_of(runtime, people[name, "received"])
            assert received == await state_of(runtime, people[name, "committed"]), name
            assert received[0] is not None, f"{name}: the case is registered"
        updated = Survey.model_validate_json((await state_of(
            runtime, people["update", "received"]))[0][0])
        assert (updated.german_level.value, updated.region_key) == ("B1", "03358022")
        assert (await state_of(runtime, people["closure", "received"]))[1] is None, \
            "a closed case does not wait"
        async with runtime.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(parked_events)) == 0
        assert await state_of(runtime, erased) == (None, None)
