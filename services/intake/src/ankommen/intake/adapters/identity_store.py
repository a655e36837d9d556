"""Stored identities: ciphertext, wrapped data keys, aliases and blind indexes (all queries
here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.crypto import SealedIdentity
from ankommen.intake.adapters.tables import (
    blind_indexes,
    cases,
    data_keys,
    identities,
    identity_aliases,
)


@dataclass(frozen=True)
class StoredCandidate:
    """An existing case sharing blind indexes with a probe, with what scoring it needs."""

    case_id: uuid.UUID
    #: An external file number is equal: certainly the same person, nothing to decrypt.
    certain: bool
    wrapped_key: bytes | None
    ciphertext: bytes
    registered_on: date
    #: From the case's survey (female, male, diverse, unspecified), None if not recorded.
    gender: str | None = None


@dataclass(frozen=True)
class StoredIdentity:
    """A readable stored identity (its data key not destroyed), with its case's gender."""

    case_id: uuid.UUID
    wrapped_key: bytes
    ciphertext: bytes
    gender: str | None


@dataclass(frozen=True)
class StoredAlias:
    """An earlier spelling of a case's person, sealed under the case's data key."""

    case_id: uuid.UUID
    #: Per case, in the order the aliases were kept (bound into the ciphertext).
    position: int
    ciphertext: bytes
    recorded_at: datetime


class IdentityStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case_id: uuid.UUID, sealed: SealedIdentity,
                  digests: Iterable[str]) -> None:
        """A new case's identity, data key and blind indexes (nothing to replace yet)."""
        await self.add_many([(case_id, sealed, digests)])

    async def add_many(self, added: Iterable[tuple[uuid.UUID, SealedIdentity, Iterable[str]]]
                       ) -> None:
        """New cases' identities, data keys and blind indexes, one statement per table (a
        registration adds one; a benchmark's fill many)."""
        added = list(added)
        await self._session.execute(insert(identities), [
            {"case_id": case_id, "ciphertext": sealed.ciphertext}
            for case_id, sealed, _ in added])
        await self._session.execute(insert(data_keys), [
            {"case_id": case_id, "master_key_id": sealed.master_key_id,
             "wrapped_key": sealed.wrapped_key} for case_id, sealed, _ in added])
        rows = [{"case_id": case_id, "digest": digest}
                for case_id, _, digests in added for digest in sorted(set(digests))]
        if rows:
            await self._session.execute(insert(blind_indexes), rows)

    async def load(self, case_id: uuid.UUID, *, for_update: bool = False
                   ) -> tuple[bytes | None, bytes] | None:
        """(wrapped data key or None if destroyed, ciphertext), or None without identity.
        ``for_update``: the identity row stays locked to the end of the transaction
        (PostgreSQL; SQLite has one writer anyway), so that two decisions about one case —
        each replacing its identity and numbering a new alias — follow one another."""
        query = (select(identities.c.ciphertext, data_keys.c.wrapped_key)
                 .select_from(identities.outerjoin(
                     data_keys, data_keys.c.case_id == identities.c.case_id))
                 .where(identities.c.case_id == case_id))
        if for_update:
            query = query.with_for_update(of=identities)
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else (row.wrapped_key, row.ciphertext)

    async def replace_ciphertext(self, case_id: uuid.UUID, ciphertext: bytes) -> None:
        await self._session.execute(update(identities).where(identities.c.case_id == case_id)
                                    .values(ciphertext=ciphertext))

    async def destroy(self, case_id: uuid.UUID) -> None:
        """Crypto-shredding: the data key goes first (a backup's copies of the identity and
        its aliases are unreadable without it); the ciphertexts and indexes with it."""
        await self._session.execute(delete(data_keys).where(data_keys.c.case_id == case_id))
        await self._session.execute(delete(identities).where(identities.c.case_id == case_id))
        await self._session.execute(delete(identity_aliases)
                                    .where(identity_aliases.c.case_id == case_id))
        await self._session.execute(delete(blind_indexes)
                                    .where(blind_indexes.c.case_id == case_id))

    async def replace_indexes(self, case_id: uuid.UUID, digests: Iterable[str]) -> None:
        await self._session.execute(delete(blind_indexes)
                                    .where(blind_indexes.c.case_id == case_id))
        rows = [{"case_id": case_id, "digest": digest} for digest in sorted(set(digests))]
        if rows:
            await self._session.execute(insert(blind_indexes), rows)

    async def aliases(self, case_ids: Iterable[uuid.UUID]) -> list[StoredAlias]:
        """The aliases of these cases (one query), oldest first per case."""
        wanted = sorted(set(case_ids))
        if not wanted:
            return []
        rows = (await self._session.execute(
            select(identity_aliases).where(identity_aliases.c.case_id.in_(wanted))
            .order_by(identity_aliases.c.case_id, identity_aliases.c.position))).all()
        return [StoredAlias(row.case_id, row.position, row.ciphertext, row.recorded_at)
                for row in rows]

    async def add_alias(self, alias: StoredAlias) -> None:
        await self._session.execute(insert(identity_aliases), {
            "case_id": alias.case_id, "position": alias.position,
            "ciphertext": alias.ciphertext, "recorded_at": alias.recorded_at})

    async def drop_aliases_before(self, case_id: uuid.UUID, position: int) -> None:
        """Drop the case's aliases older than ``position`` (the bound on aliases per case)."""
        await self._session.execute(delete(identity_aliases).where(
            (identity_aliases.c.case_id == case_id) & (identity_aliases.c.position < position)))

    async def candidates(self, file_digests: Iterable[str], name_digests: Iterable[str],
                         limit: int, exclude: uuid.UUID | None = None
                         ) -> list[StoredCandidate]:
        """Cases sharing at least one digest, those sharing most first (at most ``limit``:
        a key that thousands share, such as a common name with a birth year, cannot flood
        the scoring), with their sealed identity, day of registration and gender — one
        query, however many candidates (a case without identity or case row is left out).
        ``file_digests``: person-level file numbers, whose match is certain."""
        certain = sorted(set(file_digests))
        wanted = sorted(set(certain) | set(name_digests))
        if not wanted:
            return []
        parameters: dict[str, object] = {"wanted": wanted, "certain": certain, "limit": limit}
        if exclude is None:
            query = _CANDIDATES
        else:
            query, parameters["exclude"] = _CANDIDATES_EXCLUDING, exclude
        return [StoredCandidate(row.case_id, bool(row.certain), row.wrapped_key,
                                row.ciphertext, row.registered_on, row.gender)
                for row in (await self._session.execute(query, parameters)).all()]

    async def sealed_after(self, after: uuid.UUID | None, batch: int) -> list[StoredIdentity]:
        """Readable identities in case id order, from after ``after`` (at most ``batch``)."""
        query = (select(identities.c.case_id, identities.c.ciphertext, data_keys.c.wrapped_key,
                        cases.c.survey["gender"].as_string().label("gender"))
                 .select_from(identities
                              .join(data_keys, data_keys.c.case_id == identities.c.case_id)
                              .join(cases, cases.c.case_id == identities.c.case_id))
                 .order_by(identities.c.case_id).limit(batch))
        if after is not None:
            query = query.where(identities.c.case_id > after)
        return [StoredIdentity(row.case_id, row.wrapped_key, row.ciphertext, row.gender)
                for row in (await self._session.execute(query)).all()]

    async def pairs_sharing_digests(self, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Pairs of cases with at least one blind index in common (each pair once), those
        sharing most first: a blocking key such as a common name with a birth year is shared
        by many people, and the pairs that share many keys are the likely duplicates."""
        left, right = blind_indexes.alias("left_index"), blind_indexes.alias("right_index")
        shared = func.count().label("shared")
        query = (select(left.c.case_id.label("case_id"), right.c.case_id.label("other"), shared)
                 .join(right, (left.c.digest == right.c.digest)
                       & (left.c.case_id < right.c.case_id))
                 .group_by(left.c.case_id, right.c.case_id)
                 .order_by(shared.desc(), left.c.case_id, right.c.case_id).limit(limit))
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


def _candidates_query(*, excluding: bool) -> Select[*tuple[Any, ...]]:
    """The candidate query with bound parameters (``wanted`` and ``certain`` digests,
    ``limit``, ``exclude``), built once: constructing it per request cost more than running
    it."""
    shared = func.count().label("shared")
    certain = func.max(case((blind_indexes.c.digest.in_(bindparam("certain", expanding=True)),
                             1), else_=0)).label("certain")
    matches = (select(blind_indexes.c.case_id, shared, certain)
               .where(blind_indexes.c.digest.in_(bindparam("wanted", expanding=True)))
               .group_by(blind_indexes.c.case_id)
               .order_by(shared.desc(), blind_indexes.c.case_id).limit(bindparam("limit")))
    if excluding:
        matches = matches.where(blind_indexes.c.case_id != bindparam("exclude"))
    found = matches.subquery("matches")
    # The gender lives in the survey (JSON); read in the same query, it costs no round trip.
    return (select(found.c.case_id, found.c.certain, identities.c.ciphertext,
                   data_keys.c.wrapped_key, cases.c.registered_on,
                   cases.c.survey["gender"].as_string().label("gender"))
            .select_from(found.join(identities, identities.c.case_id == found.c.case_id)
                         .join(cases, cases.c.case_id == found.c.case_id)
                         .outerjoin(data_keys, data_keys.c.case_id == found.c.case_id))
            .order_by(found.c.shared.desc(), found.c.case_id))


_CANDIDATES = _candidates_query(excluding=False)
_CANDIDATES_EXCLUDING = _candidates_query(excluding=True)
