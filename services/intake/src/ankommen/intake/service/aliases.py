"""Aliases: the spellings of a person that a "same person" decision or a merge would
otherwise lose (issue 17 item 5).

When staff confirm that a new registration is an existing case's person, the case takes the
new spelling; when they merge two cases, the other case is erased. Either way a spelling
under which the person was once known disappears, and a later registration written like it
would no longer find the case. So it is kept as an alias of the surviving identity:

- encrypted with the case's data key (erasure, which destroys the key, shreds it too);
- blind-indexed with the same blocking keys as the identity (the case's index rows are the
  union of the identity's and its aliases'), so that the old spelling finds the case;
- scored by the duplicate check like the identity, the best of them counting
  (:mod:`.duplicate_check`);
- at most :data:`~..domain.identity.MAX_ALIASES` per case, the oldest dropped beyond it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ankommen.intake.adapters.identity_store import StoredAlias
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.identity import MAX_ALIASES, Alias, Identity
from ankommen.intake.service.protection import IdentityProtection


@dataclass(frozen=True)
class KeptAlias:
    """An alias as staff and the data subject see it: the spelling and when it was kept."""

    alias: Alias
    recorded_at: datetime


def open_aliases(protection: IdentityProtection, wrapped_key: bytes | None,
                 stored: Iterable[StoredAlias]) -> list[KeptAlias]:
    return [KeptAlias(protection.vault.open_alias(each.case_id, wrapped_key, each.position,
                                                  each.ciphertext), each.recorded_at)
            for each in stored]


async def read_aliases(uow: IntakeUnitOfWork, protection: IdentityProtection, case_id: uuid.UUID,
                       wrapped_key: bytes | None) -> list[KeptAlias]:
    """The case's aliases, oldest first, decrypted."""
    return open_aliases(protection, wrapped_key,
                        await uow.identities.aliases([case_id]))


def case_digests(protection: IdentityProtection, identity: Identity, aliases: Iterable[Alias],
                 gender: str | None) -> set[str]:
    """The blind indexes of a case: its identity's and each alias's, under the case's
    gender (the same keys a registration of any of these spellings looks up)."""
    digests = set(protection.lookup(identity, gender=gender).all)
    for alias in aliases:
        digests |= protection.lookup(alias.as_identity(), gender=gender).all
    return digests


async def keep_aliases(uow: IntakeUnitOfWork, protection: IdentityProtection, case_id: uuid.UUID,
                       wrapped_key: bytes, identity: Identity, spellings: Sequence[Alias],
                       gender: str | None) -> list[Alias]:
    """Keep ``spellings`` (oldest first) as aliases of the case whose identity is now
    ``identity``, and index the case anew. A spelling equal to the identity or to a kept
    alias adds nothing and is skipped; beyond :data:`MAX_ALIASES` the oldest are dropped.
    Returns the aliases the case has afterwards, oldest first."""
    store = uow.identities
    stored = await store.aliases([case_id])
    kept = [each.alias for each in open_aliases(protection, wrapped_key, stored)]
    current = Alias.of(identity)
    position = max((each.position for each in stored), default=0)
    for spelling in spellings:
        if spelling == current or spelling in kept:
            continue
        position += 1
        kept.append(spelling)
        await store.add_alias(StoredAlias(
            case_id, position, protection.vault.seal_alias(case_id, wrapped_key, position,
                                                           spelling), uow.clock.now()))
    if len(kept) > MAX_ALIASES:
        kept = kept[-MAX_ALIASES:]
        await store.drop_aliases_before(case_id, position - MAX_ALIASES + 1)
    await store.replace_indexes(case_id, case_digests(protection, identity, kept, gender))
    return kept
