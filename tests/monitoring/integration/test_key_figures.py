"""The dashboard's key figures: placements, waiting list, course outcomes and the share of DTZ
exams reaching B1, for the selected months and district, each protected like every table."""

from __future__ import annotations

from datetime import UTC, datetime

from ankommen.shared.auth import Role
from tests.monitoring.facts_topic import (
    arrival,
    course_outcome,
    dtz_exam,
    placement,
    publish,
    waitlisted,
)
from tests.support.polling import eventually
from tests.support.services import in_process, token

MONTH = datetime.now(UTC).strftime("%Y-%m")


def within_noise(number: dict, count: int) -> bool:
    return number["protected"] is None and abs(number["value"] - count) <= 2


async def test_key_figures_follow_the_district_and_protect_small_counts(kafka, databases):
    facts = ([arrival(MONTH, "03358", "A1") for _ in range(6)]
             + [placement(MONTH, "03358") for _ in range(8)]
             + [placement(MONTH, "03359") for _ in range(9)]
             + [waitlisted(MONTH, "03358") for _ in range(2)]
             + [course_outcome(MONTH, "03358") for _ in range(7)]
             + [course_outcome(MONTH, "03358", "discontinued", "work") for _ in range(6)]
             + [dtz_exam(MONTH, "03358", "B1") for _ in range(18)]
             + [dtz_exam(MONTH, "03358", "A2") for _ in range(2)]
             + [dtz_exam(MONTH, "03359", "A2") for _ in range(30)])
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("monitoring")) as monitoring:
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
        assert figures["waitlisted"] == {"value": None, "protected": "small_count"}
        assert within_noise(figures["completed"], 7)
        assert within_noise(figures["discontinued"], 6)
        share = int(figures["b1_share"]["shown"].removesuffix(" %"))
        assert 16 * 100 // 22 <= share <= 100  # 18 of 20, each count moved by at most 2
        assert figures["b1_share"]["assessment"] == "met"

        county = (await monitoring.client.get("/statistics/key-figures")).json()
        assert within_noise(county["placements"], 17)
        assert int(county["b1_share"]["shown"].removesuffix(" %")) < 60  # 18 of 50
        assert county["b1_share"]["assessment"] == "not_met"

        refused = await monitoring.client.get("/statistics/key-figures",
                                              params={"course_type": "literacy"})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "course_type"
