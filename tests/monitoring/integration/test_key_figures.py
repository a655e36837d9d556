"""The key figures: placements (median wait, share within 6 weeks), waiting list, unmet
demand, capacity use, course outcomes, transitions and the share of DTZ exams reaching B1,
for a closed period and an area — each read off a catalogue table, answered or not like it."""

from __future__ import annotations

from ankommen.shared.identity.auth import Role
from tests.monitoring.facts_topic import (
    arrival,
    capacity,
    course_outcome,
    dtz_exam,
    placement,
    publish,
    transition,
    unmet_demand,
    waitlisted,
)
from tests.support.clock import MovableClock, this_month, when_published
from tests.support.polling import eventually
from tests.support.services import in_process, token

MONTH = this_month()


def within_noise(number: dict, count: int) -> bool:
    return number["protected"] is None and abs(number["value"] - count) <= 2


async def test_key_figures_follow_the_area_and_the_rules_of_their_tables(kafka, databases):
    facts = ([arrival(MONTH, "03358", "A1") for _ in range(25)]
             + [placement(MONTH, "03358", waiting_weeks=w % 7) for w in range(22)]
             + [placement(MONTH, "03359", waiting_weeks=w % 11) for w in range(25)]
             + [placement(MONTH, "03359", waiting_weeks=1, next_course=True)
                for _ in range(20)]
             + [unmet_demand(MONTH, "03358") for _ in range(21)]
             + [transition(MONTH, "03359") for _ in range(3)]
             + [capacity(MONTH, "03358", 50, 40), capacity(MONTH, "03359", 30, 22)]
             + [waitlisted(MONTH, "03358") for _ in range(2)]
             + [course_outcome(MONTH, "03358") for _ in range(22)]
             + [course_outcome(MONTH, "03358", "discontinued", "work") for _ in range(21)]
             + [dtz_exam(MONTH, "03358", "B1") for _ in range(18)]
             + [dtz_exam(MONTH, "03358", "A2") for _ in range(2)]
             + [dtz_exam(MONTH, "03359", "A2") for _ in range(40)])
    clock = MovableClock()
    # A county of two districts: both count.
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("monitoring"),
                          county_districts="03358,03359", clock=clock) as monitoring:
        await publish(kafka.bootstrap_servers, facts)

        async def processed() -> int:
            response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
            return response.json()["facts_processed"]

        await eventually(processed, until=lambda n: n == len(facts), timeout=60)
        open_month = await monitoring.client.get("/statistics/key-figures",
                                                 params={"period": MONTH})
        assert open_month.status_code == 422
        assert open_month.json()["errors"][0]["field"] == "period"
        clock.set(when_published(MONTH))

        figures = (await monitoring.client.get("/statistics/key-figures", params={
            "period": MONTH, "district": "03358"})).json()
        assert figures["period"] == MONTH
        assert within_noise(figures["arrivals"], 25)
        assert within_noise(figures["placements"], 22)
        assert figures["median_wait_weeks"]["value"] is not None
        assert figures["within_6_weeks"]["shown"] is not None
        assert within_noise(figures["unmet_demand"], 21)
        use = int(figures["capacity_use"]["shown"].removesuffix(" %"))
        assert round(100 * 38 / 52) <= use <= round(100 * 42 / 48)  # 40 of 50 seats
        # Too few to be a table of their own: not a count, not a zero.
        assert figures["transitions"] == {"value": None, "protected": "small_population"}
        assert figures["waitlisted"] == {"value": None, "protected": "small_population"}
        assert within_noise(figures["completed"], 22)
        assert within_noise(figures["discontinued"], 21)
        # 18 of 20 DTZ exams reached B1; B2 … C2 are zeros shown like small counts, so the
        # share is a lower bound — still above the goal.
        assert figures["b1_share"]["shown"].startswith("≥ ")
        assert figures["b1_share"]["assessment"] == "met"

        county = (await monitoring.client.get("/statistics/key-figures")).json()
        assert county["period"] == MONTH  # the newest closed month by default
        assert within_noise(county["placements"], 67)
        assert county["median_wait_weeks"]["value"] is not None
        assert county["transitions"] == {"value": None, "protected": "small_population"}
        assert county["capacity_use"]["shown"] is not None
        assert county["b1_share"]["assessment"] == "not_met"  # 18 of 60

        for name in ("course_type", "german_level", "by"):
            refused = await monitoring.client.get("/statistics/key-figures",
                                                  params={name: "literacy"})
            assert refused.status_code == 422
            assert refused.json()["errors"][0]["field"] == name
