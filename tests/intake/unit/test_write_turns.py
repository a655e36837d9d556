"""Registrations take turns at SQLite's write lock in the order they asked, hold it until
their unit of work ends, and give it back on errors too; on PostgreSQL nobody queues."""

from __future__ import annotations

import asyncio

import pytest

from ankommen.intake.adapters.write_turns import WriteTurns


async def test_writers_get_their_turn_in_arrival_order_and_keep_it_to_the_end():
    turns = WriteTurns(serial=True)
    events: list[str] = []

    async def unit(name: str) -> None:
        async with turns.turn() as turn:
            await turn.take()
            events.append(f"{name} writes")
            await asyncio.sleep(0)  # another unit's step may run meanwhile
            await turn.take()  # a second take in the same unit does not deadlock
            events.append(f"{name} commits")

    await asyncio.gather(*(unit(name) for name in "abc"))
    assert events == ["a writes", "a commits", "b writes", "b commits",
                      "c writes", "c commits"]


async def test_a_failed_unit_gives_its_turn_back():
    turns = WriteTurns(serial=True)
    with pytest.raises(RuntimeError):
        async with turns.turn() as turn:
            await turn.take()
            raise RuntimeError("insert failed")
    async with turns.turn() as turn:
        await asyncio.wait_for(turn.take(), timeout=5)


async def test_a_unit_that_never_writes_does_not_queue_others():
    turns = WriteTurns(serial=True)
    async with turns.turn(), turns.turn() as writer:
        await asyncio.wait_for(writer.take(), timeout=5)


async def test_without_serial_writes_units_overlap():
    turns = WriteTurns(serial=False)
    async with turns.turn() as first, turns.turn() as second:
        await first.take()
        await asyncio.wait_for(second.take(), timeout=5)
