"""Stored identities: ciphertext, wrapped data keys and blind indexes (all queries here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.crypto import SealedIdentity
from ankommen.intake.adapters.tables import blind_indexes, data_keys, identities


class IdentityStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case_id: uuid.UUID, sealed: SealedIdentity) -> None:
        await self._session.execute(insert(identities).values(
            case_id=case_id, ciphertext=sealed.ciphertext))
        await self._session.execute(insert(data_keys).values(
            case_id=case_id, master_key_id=sealed.master_key_id,
            wrapped_key=sealed.wrapped_key))

    async def load(self, case_id: uuid.UUID) -> tuple[bytes | None, bytes] | None:
        """(wrapped data key or None if destroyed, ciphertext), or None without identity."""
        row = (await self._session.execute(
            select(identities.c.ciphertext, data_keys.c.wrapped_key)
            .select_from(identities.outerjoin(data_keys,
                                              data_keys.c.case_id == identities.c.case_id))
            .where(identities.c.case_id == case_id))).one_or_none()
        return None if row is None else (row.wrapped_key, row.ciphertext)

    async def replace_ciphertext(self, case_id: uuid.UUID, ciphertext: bytes) -> None:
        await self._session.execute(update(identities).where(identities.c.case_id == case_id)
                                    .values(ciphertext=ciphertext))

    async def destroy(self, case_id: uuid.UUID) -> None:
        """Crypto-shredding: the data key goes first; the ciphertext and indexes with it."""
        await self._session.execute(delete(data_keys).where(data_keys.c.case_id == case_id))
        await self._session.execute(delete(identities).where(identities.c.case_id == case_id))
        await self._session.execute(delete(blind_indexes)
                                    .where(blind_indexes.c.case_id == case_id))

    async def replace_indexes(self, case_id: uuid.UUID, digests: Iterable[str]) -> None:
        await self._session.execute(delete(blind_indexes)
                                    .where(blind_indexes.c.case_id == case_id))
        rows = [{"case_id": case_id, "digest": digest} for digest in sorted(set(digests))]
        if rows:
            await self._session.execute(insert(blind_indexes), rows)

    async def cases_with_digests(self, digests: Iterable[str], limit: int,
                                 exclude: uuid.UUID | None = None) -> list[uuid.UUID]:
        """Cases sharing at least one digest, those sharing most first."""
        wanted = sorted(set(digests))
        if not wanted:
            return []
        shared = func.count().label("shared")
        query = (select(blind_indexes.c.case_id, shared)
                 .where(blind_indexes.c.digest.in_(wanted))
                 .group_by(blind_indexes.c.case_id)
                 .order_by(shared.desc(), blind_indexes.c.case_id).limit(limit))
        if exclude is not None:
            query = query.where(blind_indexes.c.case_id != exclude)
        return [row.case_id for row in (await self._session.execute(query)).all()]

    async def pairs_sharing_digests(self, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Pairs of cases with at least one blind index in common (each pair once)."""
        left, right = blind_indexes.alias("left_index"), blind_indexes.alias("right_index")
        query = (select(left.c.case_id.label("case_id"), right.c.case_id.label("other"))
                 .join(right, (left.c.digest == right.c.digest)
                       & (left.c.case_id < right.c.case_id))
                 .group_by(left.c.case_id, right.c.case_id)
                 .order_by(left.c.case_id, right.c.case_id).limit(limit))
        return [(row.case_id, row.other) for row in (await self._session.execute(query)).all()]

    async def keys_not_under(self, master_key_id: str, batch: int
                             ) -> list[tuple[uuid.UUID, bytes]]:
        rows = (await self._session.execute(
            select(data_keys.c.case_id, data_keys.c.wrapped_key)
            .where(data_keys.c.master_key_id != master_key_id)
            .order_by(data_keys.c.case_id).limit(batch))).all()
        return [(row.case_id, row.wrapped_key) for row in rows]

    async def rewrap(self, case_id: uuid.UUID, master_key_id: str, wrapped_key: bytes) -> None:
        await self._session.execute(update(data_keys).where(data_keys.c.case_id == case_id)
                                    .values(master_key_id=master_key_id,
                                            wrapped_key=wrapped_key))
