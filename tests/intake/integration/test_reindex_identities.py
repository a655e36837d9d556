"""``ankommen-intake reindex-identities``: identities indexed under earlier blocking keys are
found again by the duplicate check once re-indexed (real database)."""

from __future__ import annotations

from sqlalchemy import func, update

from ankommen.intake.adapters.tables import blind_indexes
from ankommen.intake.service.protection import IdentityProtection
from ankommen.intake.service.reindex_identities import reindex_identities
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.support.services import token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)


async def test_reindexed_identities_are_found_by_the_new_blocking_keys(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        person = identity(family_name="Al-Hassan", given_names="Mohammed",
                          birth_date="1990-03-04", file_numbers=[])
        assert (await intake.client.post("/cases", json=registration(person=person),
                                         headers=STAFF)).status_code == 201
        # Indexes of an earlier release: nothing a new registration computes (the digests
        # are lower-case hex).
        async with intake.runtime.sessions() as session:
            await session.execute(update(blind_indexes).values(
                digest=func.upper(blind_indexes.c.digest)))
            await session.commit()
        variant = registration(person={**person, "family_name": "Alhasan",
                                       "given_names": "Muhammad"})
        assert (await intake.client.post("/cases", json=variant, headers=STAFF)
                ).status_code == 201, "an identity under old keys is not found"
        # (the variant is registered now; the original is the one to be found again)

        count = await reindex_identities(
            intake.runtime.uow, IdentityProtection.from_settings(intake.runtime.settings))
        assert count == 2
        again = registration(person={**person, "given_names": "Mohamed"})
        response = await intake.client.post("/cases", json=again, headers=STAFF)
        assert response.status_code == 409
        assert len(response.json()["candidates"]) == 2
