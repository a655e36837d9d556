"""The issue's walk-through on every channel (issue 16, item 5): a provider reports attendance
for one participant for a month and then twice for days inside it under new report ids. Only
the first period counts; the others are refused naming ``period_start`` and the period they
overlap — over HTTP (409, problem details), on the provider pages (in German), in a CSV list
and on the provider's Kafka topic (its rejections topic). A correction naming the period it
replaces is accepted and counts once; periods before the enrolment or outside the course are
refused naming the field."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select

from ankommen.progress.adapters.tables import messaging
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import provider_rejections_topic, provider_reports_topic
from tests.progress.integration import catalogue
from tests.progress.integration.catalogue import (
    ENDS_ON,
    STARTS_ON,
    day,
    progress_with_placements,
    referral_code,
)
from tests.progress.integration.list_pages import preview_and_commit
from tests.support.brokers import provider_channels
from tests.support.polling import eventually
from tests.support.services import RunningService, token
from tests.support.tokens import issue_token

CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')
#: The walk-through's periods (days after the course start, which lies 90 days back): a
#: month, then days inside it, twice under other report ids.
MONTH, INSIDE = (30, 59), (31, 56)


def german(offset: int) -> str:
    return (STARTS_ON + timedelta(days=offset)).strftime("%d.%m.%Y")


def overlap_reason(report_id: str) -> str:
    return (f"overlaps the attendance reported for {day(MONTH[0])} to {day(MONTH[1])} "
            f"(report {report_id}); to replace that report, name it in corrects_report_id")


def enrolment(code: str, report_id: str = "enrol", offset: int = 1) -> dict:
    return {"kind": "enrolment", "report_id": report_id, "referral_code": code,
            "started_on": day(offset)}


def attendance(code: str, report_id: str, period: tuple[int, int], attended: float = 60,
               corrects: str | None = None) -> dict:
    return {"kind": "attendance", "report_id": report_id, "referral_code": code,
            "period_start": day(period[0]), "period_end": day(period[1]),
            "hours_attended": attended, "hours_planned": 80, "corrects_report_id": corrects}


async def participant(progress: RunningService, code: str, provider_id: str = "vhs-a"
                      ) -> dict:
    response = await progress.client.get(f"/participants/{code}/reports",
                                         headers=token(Role.PROVIDER, provider_id))
    assert response.status_code == 200, response.text
    return response.json()


def effective(history: dict) -> list[str]:
    return [entry["report_id"] for entry in history["entries"]
            if entry["standing"] == "effective"]


async def test_http_refuses_overlapping_periods_and_a_correction_replaces_its_period(
        kafka, sqlite_databases):
    code, late = referral_code(), referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": [code, late]}) as (
            progress, _):
        provider = token(Role.PROVIDER, "vhs-a")
        batch = await progress.client.post("/reports/batch", headers=provider, json={
            "reports": [enrolment(code), attendance(code, "nov", MONTH),
                        attendance(code, "nov-b", INSIDE), attendance(code, "nov-c", INSIDE)]})
        assert batch.status_code == 200, batch.text
        results = batch.json()["results"]
        assert [item["status"] for item in results] == [
            "accepted", "accepted", "rejected", "rejected"]
        assert [item["errors"] for item in results[2:]] == 2 * [
            [{"field": "period_start", "reason": overlap_reason("nov")}]]

        single = await progress.client.post("/reports", headers=provider,
                                            json=attendance(code, "nov-d", (40, 70)))
        assert single.status_code == 409, single.text
        assert single.json()["errors"] == [{"field": "period_start",
                                            "reason": overlap_reason("nov")}]
        corrected = await progress.client.post(
            "/reports", headers=provider,
            json=attendance(code, "nov-2", INSIDE, attended=50, corrects="nov"))
        assert corrected.status_code == 201, corrected.text
        assert effective(await participant(progress, code)) == ["enrol", "nov-2"]

        # Before the enrolment and outside the course, each named by its field.
        outside = await progress.client.post("/reports/batch", headers=provider, json={
            "reports": [enrolment(late, "late-enrol", 20),
                        attendance(late, "early", (10, 25)),
                        attendance(late, "before-course", (-5, 25))]})
        errors = [item.get("errors") for item in outside.json()["results"]]
        assert errors[1:] == [
            [{"field": "period_start", "reason": f"before the enrolment ({day(20)})"}],
            [{"field": "period_start", "reason": f"outside the course period ({day(0)} to "
                                                 f"{ENDS_ON.isoformat()})"}]]


async def test_a_participation_ended_twice_counts_once_in_the_outcome_facts(
        kafka, sqlite_databases):
    """A completion retracted and the participation discontinued instead: monitoring got the
    completion's outcome fact (facts cannot be taken back) and gets no second one; a month
    corrected before the end counts once in its attendance band."""
    code = referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": [code]}) as (
            progress, _):
        batch = await progress.client.post("/reports/batch", headers=token(
            Role.PROVIDER, "vhs-a"), json={"reports": [
                enrolment(code), attendance(code, "nov", MONTH, attended=80),
                attendance(code, "nov-2", MONTH, attended=50, corrects="nov"),
                {"kind": "completion", "report_id": "done", "referral_code": code,
                 "completed_on": day(60)},
                {"kind": "retraction", "report_id": "undone", "referral_code": code,
                 "corrects_report_id": "done"},
                {"kind": "discontinuation", "report_id": "left", "referral_code": code,
                 "discontinued_on": day(61), "reason": "work"}]})
        assert {item["status"] for item in batch.json()["results"]} == {"accepted"}
        async with progress.runtime.sessions() as session:
            payloads = (await session.scalars(select(messaging.outbox.c.payload).where(
                messaging.outbox.c.type == "ankommen.progress.course_outcome_fact.v1"))).all()
        [fact] = [json.loads(payload)["data"] for payload in payloads]
        assert (fact["outcome"], fact["attendance_band"]) == ("completed", "50_to_75")


async def signed_in(client: httpx.AsyncClient, page: str) -> str:
    """Sign in as provider vhs-a; the CSRF token of ``page`` (cookies are in the jar)."""
    login = await client.get("/login")
    await client.post("/login", data={
        "csrftoken": CSRF_FIELD.search(login.text).group(1),
        "token": issue_token(Role.PROVIDER, "test", provider_id="vhs-a")})
    response = await client.get(page)
    assert response.status_code == 200, response.text
    return CSRF_FIELD.search(response.text).group(1)


async def test_the_form_and_a_csv_list_refuse_the_overlap_in_german(kafka, sqlite_databases):
    by_form, by_list = referral_code(), referral_code()
    async with progress_with_placements(kafka, sqlite_databases,
                                        {"vhs-a": [by_form, by_list]}) as (progress, _):
        provider = token(Role.PROVIDER, "vhs-a")
        stored = await progress.client.post("/reports/batch", headers=provider, json={
            "reports": [enrolment(by_form), attendance(by_form, "nov", MONTH)]})
        assert [item["status"] for item in stored.json()["results"]] == ["accepted"] * 2
        csrf = await signed_in(progress.client, f"/participants/{by_form}")
        refused = await progress.client.post(f"/participants/{by_form}", data={
            "csrftoken": csrf, "kind": "attendance", "report_id": "web-1",
            "period_start": day(INSIDE[0]), "period_end": day(INSIDE[1]),
            "hours_attended": "50", "hours_planned": "80"})
        assert refused.status_code == 422, refused.text
        assert (f"Zeitraum von</strong>: überschneidet sich mit der Anwesenheit, die für "
                f"{german(MONTH[0])} bis {german(MONTH[1])} gemeldet wurde (Meldung nov)"
                ) in refused.text

        listing = "\r\n".join([
            "Meldungs-ID;Vermittlungscode;Art;Datum;Von;Bis;Stunden anwesend;Stunden geplant",
            f"E1;{by_list};Anmeldung;{german(1)};;;;",
            f"A1;{by_list};Anwesenheit;;{german(MONTH[0])};{german(MONTH[1])};60;80",
            f"A2;{by_list};Anwesenheit;;{german(INSIDE[0])};{german(INSIDE[1])};50;80",
            f"A3;{by_list};Anwesenheit;;{german(INSIDE[0])};{german(INSIDE[1])};50;80",
        ]).encode("cp1252")
        csrf = await signed_in(progress.client, "/upload")
        shown, result = await preview_and_commit(progress.client, csrf, listing)
        assert "4 Zeilen: 2 zu speichern, 0 schon vorhanden, 2 abgelehnt" in shown.text
        assert result is not None and result.status_code == 200, shown.text
        assert "4 Zeilen: 2 gespeichert, 0 schon vorhanden, 2 abgelehnt" in result.text
        assert result.text.count("<td>Von</td><td>überschneidet sich mit der Anwesenheit, die "
                                 f"für {german(MONTH[0])} bis {german(MONTH[1])} gemeldet "
                                 "wurde (Meldung A1)") == 2
        assert effective(await participant(progress, by_list)) == ["E1", "A1"]


async def test_the_provider_topic_answers_an_overlap_on_the_rejections_topic(
        kafka, sqlite_databases):
    provider_id, code = f"p-{uuid.uuid4().hex[:10]}", referral_code()
    bootstrap = kafka.bootstrap_servers
    await provider_channels(bootstrap, provider_id)
    async with progress_with_placements(kafka, sqlite_databases, {provider_id: [code]}) as (
            progress, _):
        walk_through = [enrolment(code), attendance(code, "nov", MONTH),
                        attendance(code, "nov-b", INSIDE), attendance(code, "nov-c", INSIDE),
                        attendance(code, "nov-2", INSIDE, attended=50, corrects="nov")]
        await catalogue.produce(bootstrap, provider_reports_topic(provider_id).name, [
            (code, json.dumps(catalogue.provider_message(provider_id, report)).encode())
            for report in walk_through])
        history = await eventually(lambda: participant(progress, code, provider_id),
                                   until=lambda found: len(found["entries"]) == 3,
                                   what="the enrolment, the month and its correction stored")
        assert effective(history) == ["enrol", "nov-2"]
        rejections = await catalogue.read_topic(
            bootstrap, provider_rejections_topic(provider_id).name, lambda found: len(found) >= 2)
        assert sorted((item["data"]["report_id"], item["data"]["errors"])
                      for item in rejections) == [
            (report_id, [{"field": "period_start", "reason": overlap_reason("nov")}])
            for report_id in ("nov-b", "nov-c")]
