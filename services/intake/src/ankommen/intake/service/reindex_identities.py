"""ReindexIdentities: compute every stored identity's blind indexes again.

The blind indexes are keyed hashes of blocking keys (:func:`~..domain.matching.blocking_keys`);
when the keys change — a new normalisation, another reading of a script, the gender added —
identities indexed before cannot be found by the keys of a new registration. Run once after
such a release: each identity is decrypted in memory, its keys recomputed with the gender
from its survey, and its indexes replaced — together with its aliases' (:mod:`.aliases`) — in
batches (one transaction each).
"""

from __future__ import annotations

import uuid

from ankommen.intake.adapters.identity_store import StoredAlias
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.service.aliases import case_digests, open_aliases
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory

BATCH = 200


async def reindex_identities(uow_factory: UnitOfWorkFactory[IntakeUnitOfWork],
                             protection: IdentityProtection) -> int:
    """Returns how many identities were re-indexed (an erased one has nothing to index)."""
    reindexed = 0
    after: uuid.UUID | None = None
    while True:
        async with uow_factory() as uow:
            store = uow.identities
            batch = await store.sealed_after(after, BATCH)
            aliases: dict[uuid.UUID, list[StoredAlias]] = {}
            for alias in await store.aliases(sealed.case_id for sealed in batch):
                aliases.setdefault(alias.case_id, []).append(alias)
            for sealed in batch:
                identity = protection.vault.open(sealed.case_id, sealed.wrapped_key,
                                                 sealed.ciphertext)
                spellings = [kept.alias for kept in open_aliases(
                    protection, sealed.wrapped_key, aliases.get(sealed.case_id, ()))]
                await store.replace_indexes(sealed.case_id, case_digests(
                    protection, identity, spellings, sealed.gender))
            await uow.commit()
        reindexed += len(batch)
        if len(batch) < BATCH:
            return reindexed
        after = batch[-1].case_id
