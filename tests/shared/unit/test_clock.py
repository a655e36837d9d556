"""The clock every service gets: instants in UTC, days in the county's calendar
(Europe/Berlin), so "today" turns at local midnight — in winter and in summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ankommen.shared.clock import (
    Clock,
    FileClock,
    MovableClock,
    SystemClock,
    move_clock_file,
    reset_clock_file,
)


def test_the_system_clock_gives_aware_utc_instants_and_the_countys_day():
    clock = SystemClock()
    assert isinstance(clock, Clock)
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert clock.today() in {(now + timedelta(hours=offset)).date() for offset in (1, 2)}


@pytest.mark.parametrize(("instant", "day"), [
    (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2026, 12, 31)),
    (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), date(2027, 1, 1)),  # CET, UTC+1
    (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), date(2026, 6, 30)),
    (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), date(2026, 7, 1)),  # CEST, UTC+2
])
def test_today_turns_at_midnight_in_the_county_not_in_utc(instant, day):
    assert MovableClock(instant).today() == day


def test_a_movable_clock_stands_still_until_moved_and_keeps_utc():
    clock = MovableClock(datetime(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == datetime(2026, 3, 1, 11, tzinfo=UTC) == clock.now()
    assert clock.now().tzinfo is UTC
    clock.advance(timedelta(days=31))
    assert clock.today() == date(2026, 4, 1)
    with pytest.raises(ValueError, match="zone"):
        clock.set(datetime(2026, 4, 2))


def test_a_file_clock_is_the_system_clock_until_the_file_moves_it(tmp_path):
    path = tmp_path / "clock"
    clock = FileClock(path)
    assert isinstance(clock, Clock)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)

    move_clock_file(path, datetime(2026, 1, 5, 8, tzinfo=UTC))
    assert clock.today() == date(2026, 1, 5)
    assert clock.now().tzinfo is not None
    # It runs on from the moved instant (an offset, not a frozen instant) …
    first = clock.now()
    assert first - datetime(2026, 1, 5, 8, tzinfo=UTC) < timedelta(seconds=5)
    assert clock.now() >= first
    # … follows the next move of the same file (another process writes it) …
    move_clock_file(path, datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 3, 2)  # the county's day, 00:30 in Berlin
    # … and is the system clock again once the file is gone.
    reset_clock_file(path)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_an_unreadable_clock_file_counts_as_absent(tmp_path, caplog):
    path = tmp_path / "clock"
    path.write_text("next tuesday\n")
    assert abs(FileClock(path).now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert "clock file" in caplog.text


def test_a_clock_file_takes_an_aware_instant_only(tmp_path):
    with pytest.raises(ValueError, match="zone"):
        move_clock_file(tmp_path / "clock", datetime(2026, 1, 5))
