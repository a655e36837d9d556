"""The rebuild's checks, case by case, on a real database (SQLite and PostgreSQL): it refuses
a source that no longer holds every fact the aggregates count — deleted offsets, missing facts,
a fact whose content changed, archive rows lost or altered — and then changes nothing; it
archives what it replays from the topic; with the loss accepted it says how many facts fewer
the aggregates count, and the archive, which never shrinks, can bring them back.

The facts topic is stood in for by a list of messages (the rebuild's reading seam,
``FactsTopicSource``): the real broker cases — a truncated Kafka topic, a restarted Tansu — are
in ``test_safe_rebuild.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, literal, select, update

from ankommen.monitoring.adapters.archive import FactArchive
from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.adapters.tables import fact_archive, fact_history
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.service.rebuild import (
    Source,
    SourceIncomplete,
)
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.messaging.topics import FACTS
from ankommen.shared.runtime import ServiceRuntime
from tests.monitoring.facts_topic import arrival, capacity, placement
from tests.monitoring.listed_topic import ListedTopic, migrated, rebuild

MONTH = datetime.now(UTC).strftime("%Y-%m")


def messages() -> list[bytes]:
    envelopes = ([arrival(MONTH, "03358", level) for level in ("A0", "A1", "B1") * 4]
                 + [placement(MONTH, "03358", waiting_weeks=weeks) for weeks in range(6)]
                 + [capacity(MONTH, "03358", 20, 12)])
    return [envelope.to_bytes() for envelope in envelopes]


@pytest.fixture
async def monitoring(databases) -> AsyncIterator[ServiceRuntime]:  # noqa: ANN001
    async with migrated(await databases.url("monitoring")) as runtime:
        yield runtime


async def digest(runtime: ServiceRuntime) -> str:
    async with runtime.sessions() as session:
        return await Aggregates(session).digest()


async def refusal(runtime: ServiceRuntime, topic: ListedTopic, source: Source) -> list[str]:
    """The gaps a refused rebuild names; the aggregates must be as they were."""
    before = await digest(runtime)
    with pytest.raises(SourceIncomplete) as refused:
        await rebuild(runtime, topic, source)
    assert await digest(runtime) == before, "a refused rebuild changed the aggregates"
    return refused.value.gaps


async def test_a_rebuild_from_the_topic_archives_every_fact_and_the_archive_rebuilds_the_same(
        monitoring):
    topic = ListedTopic(messages())
    first = await rebuild(monitoring, topic)  # nothing archived yet: from the topic
    assert (first.source, first.facts, first.archived, first.fewer) == (Source.TOPIC, 19, 19, 0)
    again = await rebuild(monitoring, ListedTopic([]))  # auto: the archive, no broker needed
    assert (again.source, again.facts, again.archived, again.digest) == (
        Source.ARCHIVE, 19, 0, first.digest)
    async with monitoring.uow() as unit:
        assert await FactArchive(unit.session, FACTS.name).count() == 19


async def test_facts_processed_before_the_archive_existed_are_archived_by_a_rebuild_from_the_topic(
        monitoring):
    topic = ListedTopic(messages())
    built = await rebuild(monitoring, topic)
    # An installation upgraded to revision 0004: the inbox names every fact, the archive none
    # (revision 0008 leaves such inbox rows where they are).
    inbox = monitoring.definition.tables.inbox
    async with monitoring.uow() as unit:
        await unit.session.execute(insert(inbox).from_select(
            ["consumer", "event_id", "processed_at"],
            select(literal(monitoring.group_id(PURPOSE)), fact_archive.c.event_id,
                   literal(datetime(2026, 1, 1, tzinfo=UTC)))))
        await unit.session.execute(delete(fact_archive))
        await unit.session.execute(delete(fact_history))
        await unit.commit()
    gaps = await refusal(monitoring, topic, Source.ARCHIVE)
    assert gaps == ["19 of the 19 facts the aggregates count are not in the archive (processed "
                    "before the archive existed, or deleted from it)"]
    upgraded = await rebuild(monitoring, topic)
    assert (upgraded.source, upgraded.archived, upgraded.digest) == (
        Source.TOPIC, 19, built.digest)
    assert (await rebuild(monitoring, ListedTopic([]))).digest == built.digest


async def test_a_topic_that_lost_facts_or_offsets_is_refused(monitoring):
    full = messages()
    await rebuild(monitoring, ListedTopic(full))
    assert await refusal(monitoring, ListedTopic(full[5:]), Source.TOPIC) == [
        "5 of the 19 facts the aggregates count are not on the topic"]
    # Every fact is still there, but the topic no longer begins at offset 0 (e.g. refused
    # messages deleted by retention): not the full history either.
    assert await refusal(monitoring, ListedTopic(full, offsets={0: 0, 1: 3}), Source.TOPIC) == [
        "partition 1 begins at offset 3: the broker deleted the messages before it"]
    assert await refusal(monitoring, ListedTopic([], exists=False), Source.TOPIC) == [
        f"the topic {FACTS.name} does not exist (a broker that kept nothing)"]


async def test_a_fact_whose_content_changed_on_the_topic_is_a_checksum_mismatch(monitoring):
    full = messages()
    await rebuild(monitoring, ListedTopic(full))
    original = Envelope.model_validate_json(full[0])
    forged = original.model_copy(update={"data": {**original.data, "district": "03359"}})
    topic = ListedTopic([forged.to_bytes(), *full[1:]])
    gaps = await refusal(monitoring, topic, Source.TOPIC)
    assert gaps == ["1 facts on the topic differ from the copy archived when they were applied "
                    "(checksum mismatch)"]
    # Accepted, the archive takes the content the aggregates now count.
    accepted = await rebuild(monitoring, topic, Source.TOPIC, accept_loss=True)
    assert (accepted.fewer, len(accepted.accepted)) == (0, 1)
    assert (await rebuild(monitoring, ListedTopic([]), Source.ARCHIVE)).digest == accepted.digest


async def test_archive_rows_lost_or_altered_are_refused(monitoring):
    topic = ListedTopic(messages())
    built = await rebuild(monitoring, topic)
    async with monitoring.uow() as unit:
        first = min(await FactArchive(unit.session, FACTS.name).checksums())
        await unit.session.execute(update(fact_archive).where(fact_archive.c.event_id == first)
                                   .values(body=fact_archive.c.body + " "))
        await unit.commit()
    gaps = await refusal(monitoring, topic, Source.ARCHIVE)
    assert gaps[-1] == "1 archived facts no longer match the checksum stored with them"
    assert "were recorded as archived: archive rows were lost or altered" in gaps[0]
    async with monitoring.uow() as unit:
        await unit.session.execute(delete(fact_archive).where(fact_archive.c.event_id == first))
        await unit.commit()
    gaps = await refusal(monitoring, topic, Source.ARCHIVE)
    # The archive row was also the record that the fact is counted (revision 0008): the
    # ledger, kept apart from the archive, is what notices the loss.
    assert len(gaps) == 1
    assert gaps[0].startswith("the archive holds 18 facts")
    assert gaps[0].endswith("were recorded as archived: archive rows were lost or altered")
    # Auto no longer trusts the archive (it disagrees with its ledger); the topic still holds
    # everything and archives the lost fact again, and the archive holds the history once more.
    repaired = await rebuild(monitoring, topic)
    assert (repaired.source, repaired.archived, repaired.digest) == (
        Source.TOPIC, 1, built.digest)
    assert (await rebuild(monitoring, ListedTopic([]), Source.ARCHIVE)).digest == built.digest


async def test_an_accepted_loss_says_how_many_facts_fewer_and_the_archive_brings_them_back(
        monitoring):
    full = messages()
    built = await rebuild(monitoring, ListedTopic(full))
    lossy = await rebuild(monitoring, ListedTopic(full[4:]), Source.TOPIC, accept_loss=True)
    assert (lossy.facts, lossy.before, lossy.fewer) == (15, 19, 4)
    assert lossy.accepted == ("4 of the 19 facts the aggregates count are not on the topic",)
    assert lossy.digest != built.digest
    # The archive kept all 19: it holds every fact counted now, and more.
    restored = await rebuild(monitoring, ListedTopic([]))
    assert (restored.source, restored.facts, restored.digest) == (
        Source.ARCHIVE, 19, built.digest)
