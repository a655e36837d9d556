"""The history the aggregates were built from: a fact's canonical form and checksum are the
same however it reached monitoring, the ledger's checksum does not depend on order or batches,
and the gaps name what a source lacks."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from ankommen.monitoring.domain.history import (
    CHECKSUM_MODULUS,
    History,
    archive_gaps,
    archived_fact,
    fact_checksum,
    topic_gaps,
)
from ankommen.shared.events.registry import registry
from tests.monitoring.facts_topic import arrival, placement


def test_a_fact_archived_live_has_the_checksum_of_the_same_message_read_again():
    message = arrival("2026-10", "03358").to_bytes()
    live = archived_fact(registry.decode(message).envelope)
    # A rebuild from the topic decodes the same message; one from the archive its body.
    assert archived_fact(registry.decode(message).envelope) == live
    assert archived_fact(registry.decode(live.body.encode()).envelope) == live
    assert fact_checksum(live.body) == live.checksum
    assert live.fact_type == "ankommen.intake.arrival_recorded.v1"


def test_a_fact_sent_before_partitionkey_existed_keeps_its_archived_text():
    """Facts archived before the envelope had ``partitionkey`` (and while unset attributes went
    out as ``null``) must read the same from the topic now, or every rebuild would call them
    changed. A fact that carries the key archives it."""
    old = arrival("2026-10", "03358")
    before = (f'{{"specversion":"1.0","id":"{old.id}","type":"{old.type}",'
              f'"source":"{old.source}","time":"{old.time.isoformat().replace("+00:00", "Z")}",'
              f'"subject":null,"datacontenttype":"application/json","data":')
    assert archived_fact(registry.decode(old.to_bytes()).envelope).body.startswith(before)
    keyed = old.model_copy(update={"partitionkey": old.data["record_key"]})
    body = archived_fact(registry.decode(keyed.to_bytes()).envelope).body
    assert f'"partitionkey":"{old.data["record_key"]}"' in body


def test_the_archive_keeps_only_the_day_a_fact_was_received():
    """The moment of receipt would link a fact to its case event (issue 15): the day is all the
    bounds need, so it is all the archive keeps."""
    received = datetime(2026, 10, 14, 9, 31, 7, 123456, tzinfo=UTC)
    fact = archived_fact(arrival("2026-10", "03358"), received)
    assert fact.received_at == datetime(2026, 10, 14, tzinfo=UTC)


def test_another_content_under_the_same_event_id_has_another_checksum():
    envelope = arrival("2026-10", "03358").model_copy()
    changed = envelope.model_copy(update={"data": {**envelope.data, "district": "03359"}})
    assert archived_fact(changed).event_id == archived_fact(envelope).event_id
    assert archived_fact(changed).checksum != archived_fact(envelope).checksum


def test_the_ledger_checksum_does_not_depend_on_order_or_batches():
    checksums = [archived_fact(placement("2026-10", "03358")).checksum for _ in range(50)]
    whole = History.of(checksums)
    shuffled = random.Random(3).sample(checksums, len(checksums))
    in_batches = History()
    for start in range(0, 50, 7):
        in_batches += History.of(shuffled[start:start + 7])
    assert in_batches == whole
    assert whole.facts == 50
    assert 0 <= whole.checksum < CHECKSUM_MODULUS
    # One fact less is noticed, and so is one fact swapped for another.
    assert History.of(checksums[1:]) != whole
    assert History.of([*checksums[1:], checksums[0] + 1]).checksum != whole.checksum


def test_a_topic_holds_the_history_only_from_offset_zero_with_every_fact_unchanged():
    assert topic_gaps("facts", {0: 0, 1: 0}, processed=10, missing=0, differing=0) == []
    gaps = topic_gaps("facts", {0: 0, 1: 4}, processed=10, missing=4, differing=1)
    assert gaps == [
        "partition 1 begins at offset 4: the broker deleted the messages before it",
        "4 of the 10 facts the aggregates count are not on the topic",
        "1 facts on the topic differ from the copy archived when they were applied "
        "(checksum mismatch)"]
    assert topic_gaps("facts", None, 10, 10, 0) == [
        "the topic facts does not exist (a broker that kept nothing)"]


def test_an_archive_holds_the_history_with_every_fact_and_the_ledger_agreeing():
    ledger = History(3, 12)
    assert archive_gaps(3, 0, ledger, History(3, 12), 0) == []
    gaps = archive_gaps(3, 1, ledger, History(2, 7), altered=1)
    assert gaps[0] == ("1 of the 3 facts the aggregates count are not in the archive "
                       "(processed before the archive existed, or deleted from it)")
    assert "the archive holds 2 facts, checksum 0000000000000007, but 3 facts, checksum " \
           "000000000000000c were recorded as archived" in gaps[1]
    assert gaps[2] == "1 archived facts no longer match the checksum stored with them"
