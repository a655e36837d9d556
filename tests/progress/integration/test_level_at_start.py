"""The level at course start does not depend on which topic's event arrives first: cases
(intake) and placements (assignment) come on different topics, in any order."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ankommen.progress.adapters.tables import placements
from ankommen.progress.service import catalogue
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.events.registry import DecodedEvent, registry
from tests.progress.integration.catalogue import progress_with_placements, referral_code
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
        async with progress.runtime.sessions() as session:
            level = await session.scalar(select(placements.c.level_at_start).where(
                placements.c.referral_code == code))
    assert level == "A2"
