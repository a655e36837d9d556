"""The dashboard's key figures: placements (median wait, share within 6 weeks), waiting list,
unmet demand, capacity use, course outcomes, transitions and the share of DTZ exams reaching
B1, for the selected months and district, each protected like every table."""

from __future__ import annotations

from datetime import UTC, datetime

from ankommen.shared.auth import Role
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
from tests.support.polling import eventually
from tests.support.services import in_process, token

MONTH = datetime.now(UTC).strftime("%Y-%m")


def within_noise(number: dict, count: int) -> bool:
    return number["protected"] is None and abs(number["value"] - count) <= 2


async def test_key_figures_follow_the_district_and_protect_small_counts(kafka, databases):
    facts = ([arrival(MONTH, "03358", "A1") for _ in range(6)]
             + [placement(MONTH, "03358", waiting_weeks=w) for w in (1, 2, 2, 3, 4, 5, 5, 6)]
             + [placement(MONTH, "03359", waiting_weeks=w) for w in (2, 4, 6, 7, 8, 8, 9, 9, 10)]
             + [placement(MONTH, "03359", waiting_weeks=1, next_course=True) for _ in range(5)]
             + [unmet_demand(MONTH, "03358") for _ in range(7)]
             + [transition(MONTH, "03359") for _ in range(3)]
             + [capacity(MONTH, "03358", 50, 40), capacity(MONTH, "03359", 10, 2)]
             + [waitlisted(MONTH, "03358") for _ in range(2)]
             + [course_outcome(MONTH, "03358") for _ in range(7)]
             + [course_outcome(MONTH, "03358", "discontinued", "work") for _ in range(6)]
             + [dtz_exam(MONTH, "03358", "B1") for _ in range(18)]
             + [dtz_exam(MONTH, "03358", "A2") for _ in range(2)]
             + [dtz_exam(MONTH, "03359", "A2") for _ in range(30)])
    # A county of two districts: both count.
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("monitoring"),
                          county_districts="03358,03359") as monitoring:
        await publish(kafka.bootstrap_servers, facts)

        async def processed() -> int:
            response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
            return response.json()["facts_processed"]

        await eventually(processed, until=lambda n: n == len(facts), timeout=60)
        # The German-level filter narrows arrivals only: B1 has no arrivals, the rest stays.
        figures = (await monitoring.client.get("/statistics/key-figures", params={
            "district": "03358", "german_level": "B1"})).json()
        assert figures["arrivals"] == {"value": 0, "protected": None}
        assert within_noise(figures["placements"], 8)
        # 8 first placements in 03358: too few for a median; all within 6 weeks.
        assert figures["median_wait_weeks"] == {"value": None,
                                                "protected": "too_few_for_distribution"}
        assert figures["within_6_weeks"]["shown"] is not None
        assert within_noise(figures["unmet_demand"], 7)
        use = int(figures["capacity_use"]["shown"].removesuffix(" %"))
        assert round(100 * 38 / 52) <= use <= round(100 * 42 / 48)  # 40 of 50 seats
        assert figures["transitions"] == {"value": 0, "protected": None}
        assert figures["waitlisted"] == {"value": None, "protected": "small_count"}
        assert within_noise(figures["completed"], 7)
        assert within_noise(figures["discontinued"], 6)
        # 18 of 20 DTZ exams reached B1. The 2 below are a small count, so the published
        # table hides the B1 row too (secondary suppression) — and so does the share.
        assert figures["b1_share"] == {"shown": None, "assessment": "undecided"}
        dtz = (await monitoring.client.get("/statistics/exam_results", params={
            "district": "03358", "exam": "dtz", "by": "level_reached"})).json()
        assert {row["label"]: row["count"]["protected"] for row in dtz["rows"]}["B1"] == \
            "secondary"

        county = (await monitoring.client.get("/statistics/key-figures")).json()
        assert within_noise(county["placements"], 22)
        # The median of the 17 first placements (the 5 next-course ones wait from their
        # earlier course's end and do not count): 5 weeks.
        assert county["median_wait_weeks"] == {"value": 5, "protected": None}
        assert county["transitions"] == {"value": None, "protected": "small_count"}
        # Seats taken in 03359 (2) are a small count: the county-wide share is still shown.
        assert county["capacity_use"]["shown"] is not None
        assert int(county["b1_share"]["shown"].removesuffix(" %")) < 60  # 18 of 50
        assert county["b1_share"]["assessment"] == "not_met"

        refused = await monitoring.client.get("/statistics/key-figures",
                                              params={"course_type": "literacy"})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "course_type"
