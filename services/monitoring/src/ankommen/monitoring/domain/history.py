"""The history the aggregates were built from, and whether a source still holds it.

The aggregates count a set of facts. Which ones is recorded three ways, all in the unit of work
that applies them:

* the facts consumer's **inbox**: one event id per fact processed, since the very first fact
  (rewritten by each rebuild to the facts it replayed);
* the **facts archive** (``fact_archive``, since revision 0004): each fact in its canonical
  form as applied (:func:`archived_fact`), with its checksum — a rebuild can replay it without
  the broker;
* the **ledger** (``fact_history``): how many facts the archive holds and a running checksum
  over them (:class:`History`), kept apart from the archive so that archive rows that went
  missing or changed are noticed.

A source — the facts topic or the archive — holds that history when it still has every fact
the inbox names, with the content it had when it was applied. What is missing or different is
a :func:`topic_gaps` / :func:`archive_gaps` line for the operator; a rebuild refuses while
there is one, unless the operator accepts the loss.

The checksum is a sum (modulo :data:`CHECKSUM_MODULUS`) of a 64-bit hash per fact: it does not
depend on the order facts arrive in, on batches or partitions, and the live consumer can add to
it with one ``UPDATE`` per batch. It guards against loss and accident, not against someone who
writes to the database on purpose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ankommen.monitoring.domain.bounds import receipt_day
from ankommen.shared.events.envelope import Envelope

#: Checksums are summed modulo 2**62: two of them still add up within a signed 64-bit column.
CHECKSUM_MODULUS = 2 ** 62


def fact_checksum(canonical: str) -> int:
    """The checksum of one fact in its canonical form."""
    digest = hashlib.blake2b(canonical.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % CHECKSUM_MODULUS


@dataclass(frozen=True)
class ArchivedFact:
    """One fact as the archive keeps it: the envelope as applied, in canonical JSON.

    Canonical means the envelope serialised again after decoding (fixed field order, no
    whitespace): the live consumer, a rebuild from the topic and a rebuild from the archive
    arrive at the same text — and so the same checksum — for the same message."""

    event_id: str
    fact_type: str
    checksum: int
    body: str
    #: When monitoring received it (not covered by the checksum: it is not the fact's content,
    #: and a topic holds no such thing to compare).
    received_at: datetime | None = None


#: Envelope attributes added after the archive's canonical form was fixed (revision 0004).
_LATER_ATTRIBUTES = ("partitionkey",)


def canonical(envelope: Envelope) -> str:
    """The canonical text of a fact: every envelope attribute, unset ones as ``null`` — the form
    archived since revision 0004, kept so that archived facts keep their checksums. That is
    not what goes on the wire (:meth:`Envelope.to_json` leaves unset attributes out); the
    archive is ours alone. An attribute added later is left out while unset, so that a fact
    archived before it existed reads the same from the topic as from the archive."""
    unset = {name for name in _LATER_ATTRIBUTES if getattr(envelope, name) is None}
    return envelope.model_dump_json(exclude=unset)


def archived_fact(envelope: Envelope, received_at: datetime | None = None) -> ArchivedFact:
    """The archive row of a fact received at ``received_at``: only the day is kept
    (:func:`bounds.receipt_day`), never the moment, which would link the fact to its case."""
    body = canonical(envelope)
    return ArchivedFact(envelope.id, envelope.type, fact_checksum(body), body,
                        None if received_at is None else receipt_day(received_at))


@dataclass(frozen=True)
class History:
    """How many facts, and the sum of their checksums (modulo :data:`CHECKSUM_MODULUS`)."""

    facts: int = 0
    checksum: int = 0

    @classmethod
    def of(cls, checksums: Iterable[int]) -> History:
        facts = total = 0
        for checksum in checksums:
            facts += 1
            total += checksum
        return cls(facts, total % CHECKSUM_MODULUS)

    def __add__(self, other: History) -> History:
        return History(self.facts + other.facts,
                       (self.checksum + other.checksum) % CHECKSUM_MODULUS)

    def __str__(self) -> str:
        return f"{self.facts} facts, checksum {self.checksum:016x}"


def topic_gaps(topic: str, first_offsets: Mapping[int, int] | None, processed: int,
               missing: int, differing: int) -> list[str]:
    """Why the topic no longer holds the history: deleted offsets, facts processed that it
    lacks, facts whose content differs from the archived copy. Empty: it holds it.

    ``first_offsets`` is ``None`` when the topic does not exist at all."""
    if first_offsets is None:
        return [f"the topic {topic} does not exist (a broker that kept nothing)"]
    gaps = [f"partition {partition} begins at offset {offset}: the broker deleted the messages "
            "before it" for partition, offset in sorted(first_offsets.items()) if offset > 0]
    if missing:
        gaps.append(f"{missing} of the {processed} facts the aggregates count are not on the "
                    "topic")
    if differing:
        gaps.append(f"{differing} facts on the topic differ from the copy archived when they "
                    "were applied (checksum mismatch)")
    return gaps


def archive_gaps(processed: int, missing: int, recorded: History, found: History,
                 altered: int) -> list[str]:
    """Why the archive no longer holds the history: facts processed that it lacks (those
    processed before it existed, or rows deleted), a count or checksum other than the ledger
    recorded, rows whose body no longer matches their own checksum. Empty: it holds it."""
    gaps: list[str] = []
    if missing:
        gaps.append(f"{missing} of the {processed} facts the aggregates count are not in the "
                    "archive (processed before the archive existed, or deleted from it)")
    if found != recorded:
        gaps.append(f"the archive holds {found}, but {recorded} were recorded as archived: "
                    "archive rows were lost or altered")
    if altered:
        gaps.append(f"{altered} archived facts no longer match the checksum stored with them")
    return gaps
