"""Intake dates by its injected clock, not the machine's: moving the clock moves the day a
registration is dated and the day "in the future" begins (issue 16, time is explicit).

In process without a broker (nothing here crosses one): the outbox just waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ankommen.shared.clock import MovableClock
from ankommen.shared.identity.auth import Role
from tests.support.services import in_process, token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)


async def test_moving_the_clock_moves_the_registration_day_and_what_is_in_the_future(
        sqlite_databases):
    # 23:30 UTC on 31 December is already 1 January in the county (Europe/Berlin).
    clock = MovableClock(datetime(2031, 12, 31, 23, 30, tzinfo=UTC))
    async with in_process("intake", bootstrap="127.0.0.1:1", clock=clock,
                          database_url=await sqlite_databases.url("intake")) as intake:
        first = await intake.client.post("/cases", json=registration(
            person=identity(birth_date="1990-03-04")), headers=STAFF)
        assert first.status_code == 201, first.text
        assert first.json()["registered_on"] == "2032-01-01", "the county's day, by its clock"

        clock.advance(timedelta(days=40))
        second = await intake.client.post("/cases", json=registration(
            person=identity(birth_date="1991-07-08")), headers=STAFF)
        assert second.json()["registered_on"] == "2032-02-10"

        # A day after the clock's today is refused, though long past by the machine's clock…
        clock.set(datetime(2020, 6, 1, 12, tzinfo=UTC))
        body = registration(person=identity(birth_date="2020-06-02"))
        refused = await intake.client.post("/cases", json={**body, "registered_on":
                                                           "2020-06-02"}, headers=STAFF)
        assert refused.status_code == 422
        assert refused.json()["errors"] == [
            {"field": "identity.birth_date", "reason": "must not be in the future"},
            {"field": "registered_on", "reason": "must not be in the future"}]
        # … and a birth date in the machine's future is no birth in the clock's future.
        clock.set(datetime(2040, 6, 1, 12, tzinfo=UTC))
        born_later = await intake.client.post("/cases", json=registration(
            person=identity(birth_date="2035-05-05")), headers=STAFF)
        assert born_later.status_code == 201, born_later.text
        assert born_later.json()["registered_on"] == "2040-06-01"
