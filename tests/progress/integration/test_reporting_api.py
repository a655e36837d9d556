"""Providers report over HTTP: single reports, batches, corrections and retractions, each
validated against placements progress learnt from the placements topic; events reach the
participation topic through the outbox."""

from __future__ import annotations

from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import FACTS, PARTICIPATION
from tests.progress.integration.catalogue import (
    day,
    progress_with_placements,
    read_topic,
    referral_code,
)
from tests.support.services import token


def enrolment(code: str, report_id: str = "enrol-1", started: int = 1) -> dict:
    return {"kind": "enrolment", "report_id": report_id, "referral_code": code,
            "started_on": day(started)}


def exam(code: str, report_id: str, level: str, corrects: str | None = None) -> dict:
    return {"kind": "exam_result", "report_id": report_id, "referral_code": code,
            "exam": "dtz", "taken_on": day(60), "passed": True, "level_reached": level,
            "skills": {"listening": level}, "corrects_report_id": corrects}


async def test_a_report_is_accepted_once_and_its_repetition_changes_nothing(kafka, databases):
    code = referral_code()
    async with progress_with_placements(kafka, databases, {"vhs-a": [code]}) as (progress, _):
        provider = token(Role.PROVIDER, "vhs-a")
        first = await progress.client.post("/reports", json=enrolment(code), headers=provider)
        again = await progress.client.post("/reports", json=enrolment(code), headers=provider)
        assert (first.status_code, first.json()["status"]) == (201, "accepted")
        assert (again.status_code, again.json()["status"]) == (200, "duplicate")
        reused = await progress.client.post("/reports", json=enrolment(code, started=2),
                                            headers=provider)
        assert reused.status_code == 409 and reused.json()["errors"][0]["field"] == "report_id"
        history = (await progress.client.get(f"/participants/{code}/reports",
                                             headers=provider)).json()
        assert [entry["report_id"] for entry in history["entries"]] == ["enrol-1"]
        assert history["participant"]["status"] == "enrolled"


async def test_a_provider_cannot_report_for_another_providers_referral_code(kafka, databases):
    code = referral_code()
    async with progress_with_placements(kafka, databases, {"vhs-a": [code]}) as (progress, _):
        response = await progress.client.post("/reports", json=enrolment(code),
                                              headers=token(Role.PROVIDER, "vhs-b"))
        assert response.status_code == 403
        assert response.json()["errors"] == [{"field": "referral_code", "reason":
                                              "not a placement in one of your courses"}]
        history = await progress.client.get(f"/participants/{code}/reports",
                                            headers=token(Role.PROVIDER, "vhs-b"))
        assert history.status_code == 403


async def test_refusals_name_the_field_and_the_reason(kafka, databases):
    code = referral_code()
    async with progress_with_placements(kafka, databases, {"vhs-a": [code]}) as (progress, _):
        provider = token(Role.PROVIDER, "vhs-a")
        attendance = {"kind": "attendance", "report_id": "att-1", "referral_code": code,
                      "period_start": day(10), "period_end": day(20), "hours_attended": 10,
                      "hours_planned": 20}
        early = await progress.client.post("/reports", json=attendance, headers=provider)
        assert early.status_code == 409
        assert early.json()["errors"][0]["field"] == "kind"
        future = await progress.client.post("/reports", json=enrolment(code, started=200),
                                            headers=provider)
        assert future.status_code == 422
        assert future.json()["errors"] == [{"field": "started_on", "reason": "in the future"}]
        shape = await progress.client.post("/reports", json={**attendance,
                                                             "hours_attended": 30},
                                           headers=provider)
        assert shape.status_code == 422 and "hours_attended" in shape.json()["detail"]


async def test_accepted_reports_are_announced_corrections_keep_the_original_in_history(
        kafka, databases):
    code = referral_code()
    async with progress_with_placements(kafka, databases, {"vhs-a": [code]}) as (
            progress, pseudonyms):
        provider = token(Role.PROVIDER, "vhs-a")
        batch = await progress.client.post("/reports/batch", headers=provider, json={
            "reports": [enrolment(code), exam(code, "exam-1", "A2"),
                        exam(code, "exam-2", "B1", corrects="exam-1"),
                        {"kind": "nonsense", "report_id": "x", "referral_code": code},
                        {"kind": "attendance", "report_id": "att-1", "referral_code": code,
                         "period_start": day(1), "period_end": day(30), "hours_attended": 76,
                         "hours_planned": 80},
                        {"kind": "completion", "report_id": "done-1", "referral_code": code,
                         "completed_on": day(71), "level_reached": "B1"},
                        {"kind": "attendance", "report_id": "att-2", "referral_code": code,
                         "period_start": day(72), "period_end": day(80),
                         "hours_attended": 1, "hours_planned": 2}]})
        assert batch.status_code == 200, batch.text
        summary = batch.json()
        assert [item["status"] for item in summary["results"]] == [
            "accepted", "accepted", "accepted", "rejected", "accepted", "accepted", "rejected"]
        assert summary["results"][3]["errors"][0]["field"] == "kind"
        assert summary["results"][6]["errors"][0]["field"] == "kind"

        events = await read_topic(kafka.bootstrap_servers, PARTICIPATION.name,
                                  lambda found: len(found) >= 6)
        assert {event["_key"] for event in events} == {pseudonyms[code]}
        assert {event["data"]["pseudonym"] for event in events} == {pseudonyms[code]}
        corrected = [event["data"] for event in events
                     if event["type"] == "ankommen.progress.exam_result_recorded.v1"
                     and event["data"]["corrects_report_id"] == "exam-1"]
        assert [data["level_reached"] for data in corrected] == ["B1"]
        [audit] = [event["data"] for event in events
                   if event["type"] == "ankommen.progress.report_corrected.v1"]
        assert (audit["corrects_report_id"], audit["action"]) == ("exam-1", "corrected")

        history = (await progress.client.get(f"/participants/{code}/reports",
                                             headers=provider)).json()
        standing = {entry["report_id"]: entry["standing"] for entry in history["entries"]}
        assert standing == {"enrol-1": "effective", "exam-1": "superseded",
                            "exam-2": "effective", "att-1": "effective",
                            "done-1": "effective"}
        assert history["entries"][1]["report"]["level_reached"] == "A2"
        assert history["participant"]["status"] == "completed"

        facts = await read_topic(kafka.bootstrap_servers, FACTS.name,
                                 lambda found: len(found) >= 2)
        assert pseudonyms[code] not in repr(facts)
        [outcome] = [fact["data"] for fact in facts
                     if fact["type"] == "ankommen.progress.course_outcome_fact.v1"]
        assert (outcome["outcome"], outcome["attendance_band"], outcome["exam_outcome"],
                outcome["weeks_in_course"], outcome["district"]) == (
            "completed", "at_least_90", "passed", 10, "03358")
