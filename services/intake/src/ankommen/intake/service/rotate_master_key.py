"""RotateMasterKey: re-wrap every data key under the current master key.

Only the 32-byte data keys are decrypted and re-encrypted; the identities stay as they are,
so a rotation is quick and cannot damage them. Run with the new key as the current one and
the old key among the previous keys; afterwards the old key can be retired.
"""

from __future__ import annotations

from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory

BATCH = 500


async def rotate_master_key(uow_factory: UnitOfWorkFactory[IntakeUnitOfWork],
                            protection: IdentityProtection) -> int:
    """Re-wrap in batches (one transaction each); returns how many keys were re-wrapped."""
    vault = protection.vault
    rewrapped = 0
    while True:
        async with uow_factory() as uow:
            store = uow.identities
            batch = await store.keys_not_under(vault.current_key_id, BATCH)
            for case_id, wrapped_key in batch:
                await store.rewrap(case_id, vault.current_key_id,
                                   vault.rewrap(case_id, wrapped_key))
            await uow.commit()
        rewrapped += len(batch)
        if len(batch) < BATCH:
            return rewrapped
