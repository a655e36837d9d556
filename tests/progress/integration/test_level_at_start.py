"""The level at course start does not depend on which topic's event arrives first: cases
(intake) and placements (assignment) come on different topics, in any order."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from sqlalchemy import select

from ankommen.progress.adapters.tables import known_cases, placements
from ankommen.progress.service import catalogue
from ankommen.shared.events.contracts.assignment import PlacementOffered
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey, SurveyUpdated
from ankommen.shared.events.registry import DecodedEvent, registry
from tests.progress.integration.catalogue import (
    announce,
    catalogue_events,
    progress_with_placements,
    referral_code,
)
from tests.support.polling import eventually
from tests.support.services import in_process
from tests.support.surveys import survey


async def test_a_registration_after_its_placement_still_sets_the_level_at_start(
        kafka, databases):
    code = referral_code()
    async with progress_with_placements(kafka, databases, {"vhs-a": [code]}) as (
            progress, pseudonyms):
        registered = CaseRegistered(pseudonym=pseudonyms[code],
                                    survey=Survey(**survey(german_level="A2")),
                                    registered_on=date(2026, 10, 1))
        async with progress.runtime.uow() as uow:
            await catalogue.remember_registered_case(uow, DecodedEvent(
                envelope=registry.envelope(registered, source="/ankommen/intake"),
                data=registered))
            await uow.commit()
        async with progress.runtime.sessions() as session:
            level = await session.scalar(select(placements.c.level_at_start).where(
                placements.c.referral_code == code))
    assert level == "A2"


async def test_a_level_corrected_at_intake_is_the_level_of_the_next_seat(kafka, databases):
    """SurveyUpdated over the real broker: a seat offered after the correction starts from the
    corrected level; other survey answers leave the level alone."""
    pseudonym = secrets.token_urlsafe(24)
    async with in_process("progress", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("progress")) as progress:
        await announce(kafka.bootstrap_servers, [
            (pseudonym, CaseRegistered(pseudonym=pseudonym,
                                       survey=Survey(**survey(german_level="A1")),
                                       registered_on=date(2026, 10, 1))),
            (pseudonym, SurveyUpdated(pseudonym=pseudonym, changes={"german_level": "B1"})),
            (pseudonym, SurveyUpdated(pseudonym=pseudonym, changes={"can_attend_online": True})),
        ], source="/ankommen/intake")

        async def known_level() -> str | None:
            async with progress.runtime.sessions() as session:
                return await session.scalar(select(known_cases.c.german_level).where(
                    known_cases.c.pseudonym == pseudonym))

        await eventually(known_level, until=lambda level: level == "B1", timeout=30,
                         what="the corrected level in progress")
        code = referral_code()
        events, _ = catalogue_events("vhs-a", [])
        published = events[0][1]
        await announce(kafka.bootstrap_servers, [*events, (pseudonym, PlacementOffered(
            placement_id=uuid.uuid4().hex, pseudonym=pseudonym, referral_code=code,
            course_id=published.course.course_id, provider_id="vhs-a",
            offered_on=date(2026, 10, 2)))])

        async def level_at_start() -> str | None:
            async with progress.runtime.sessions() as session:
                return await session.scalar(select(placements.c.level_at_start).where(
                    placements.c.referral_code == code))

        assert await eventually(level_at_start, until=lambda level: level is not None,
                                timeout=30, what="the placement recorded") == "B1"
        assert await known_level() == "B1"
