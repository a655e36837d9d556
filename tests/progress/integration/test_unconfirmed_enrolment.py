"""A provider enrols a person whose offer nobody confirmed yet (issue 16, item 4: people were
"offered" in assignment and "enrolled" in progress at once). Progress refuses the enrolment
naming ``referral_code`` and the reason on every channel — HTTP single and batch (409,
problem details), the provider pages and a CSV list (in German), the provider's Kafka topic
(its rejections topic) — and takes it once the placement is confirmed. When assignment
withdraws a placement whose enrolment progress had already taken (the race), the withdrawal
wins: no further report is taken and the provider sees the participation as withdrawn."""

from __future__ import annotations

import json
import uuid

from ankommen.shared.events.contracts.assignment import (
    PlacementConfirmed,
    PlacementWithdrawn,
    WithdrawalReason,
)
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import provider_rejections_topic, provider_reports_topic
from tests.progress.integration import catalogue
from tests.progress.integration.catalogue import progress_with_placements, record_directly
from tests.progress.integration.list_pages import preview_and_commit
from tests.progress.integration.test_attendance_periods import (
    MONTH,
    attendance,
    enrolment,
    german,
    participant,
    signed_in,
)
from tests.support.brokers import provider_channels
from tests.support.services import token

NOT_CONFIRMED = [{"field": "referral_code",
                  "reason": "the placement is not confirmed yet: confirm it first"}]
GERMAN = "die Vermittlung ist noch nicht bestätigt: bitte zuerst bestätigen"


async def test_every_channel_refuses_to_enrol_an_unconfirmed_offer_and_a_withdrawal_wins(
        kafka, sqlite_databases):
    provider_id = f"p-{uuid.uuid4().hex[:10]}"
    codes = {name: catalogue.referral_code() for name in ("http", "form", "csv", "topic")}
    bootstrap = kafka.bootstrap_servers
    await provider_channels(bootstrap, provider_id)
    async with progress_with_placements(kafka, sqlite_databases,
                                        {provider_id: list(codes.values())},
                                        unconfirmed=codes.values()) as (progress, _):
        provider = token(Role.PROVIDER, provider_id)
        single = await progress.client.post("/reports", headers=provider,
                                            json=enrolment(codes["http"]))
        assert single.status_code == 409, single.text
        assert single.json()["errors"] == NOT_CONFIRMED
        batch = await progress.client.post("/reports/batch", headers=provider, json={
            "reports": [enrolment(codes["http"], "enrol-2")]})
        assert [item["errors"] for item in batch.json()["results"]] == [NOT_CONFIRMED]

        await catalogue.produce(bootstrap, provider_reports_topic(provider_id).name, [
            (codes["topic"], json.dumps(catalogue.provider_message(
                provider_id, enrolment(codes["topic"]))).encode())])

        # The pages: signed in as vhs-a (signed_in), so the form and list use a vhs-a course.
        form_code, list_code = catalogue.referral_code(), catalogue.referral_code()
        events, _ = catalogue.catalogue_events("vhs-a", [form_code, list_code],
                                               unconfirmed=[form_code, list_code])
        await record_directly(progress, events)
        csrf = await signed_in(progress.client, f"/participants/{form_code}")
        refused = await progress.client.post(f"/participants/{form_code}", data={
            "csrftoken": csrf, "kind": "enrolment", "report_id": "web-1",
            "date": catalogue.day(1)})
        assert refused.status_code == 422, refused.text
        assert f"Vermittlungscode</strong>: {GERMAN}" in refused.text
        listing = "\r\n".join(["Meldungs-ID;Vermittlungscode;Art;Datum",
                               f"E1;{list_code};Anmeldung;{german(1)}"]).encode("cp1252")
        csrf = await signed_in(progress.client, "/upload")
        result, stored = await preview_and_commit(progress.client, csrf, listing)
        assert "1 Zeilen: 0 zu speichern, 0 schon vorhanden, 1 abgelehnt" in result.text
        assert stored is None  # nothing to store: no "Übernehmen"
        assert f"<td>Vermittlungscode</td><td>{GERMAN}" in result.text

        rejections = await catalogue.read_topic(
            bootstrap, provider_rejections_topic(provider_id).name, lambda found: len(found) >= 1)
        assert [item["data"]["errors"] for item in rejections] == [NOT_CONFIRMED]

        # Confirmed by assignment: the same enrolment is taken; then the race.
        [offered] = [data for _, data in events if getattr(data, "referral_code", None)
                     == form_code]
        placement = {name: getattr(offered, name) for name in (
            "placement_id", "pseudonym", "referral_code", "course_id", "provider_id")}
        await record_directly(progress, [(offered.pseudonym, PlacementConfirmed(**placement))])
        vhs_a = token(Role.PROVIDER, "vhs-a")
        taken = await progress.client.post("/reports", headers=vhs_a,
                                           json=enrolment(form_code))
        assert taken.status_code == 201, taken.text
        assert (await participant(progress, form_code))["participant"]["state"] == "enrolled"
        await record_directly(progress, [(offered.pseudonym, PlacementWithdrawn(
            **placement, reason=WithdrawalReason.CASE_CLOSED))])
        late = await progress.client.post("/reports", headers=vhs_a,
                                          json=attendance(form_code, "nov", MONTH))
        assert late.status_code == 409, late.text
        assert late.json()["errors"] == [{"field": "referral_code",
                                          "reason": "the placement was withdrawn"}]
        listed = await progress.client.get("/participants", headers=vhs_a)
        assert {item["referral_code"]: item["state"] for item in listed.json()}[form_code] == (
            "withdrawn")
        page = await progress.client.get(f"/participants/{form_code}")
        assert 'data-state="withdrawn">zurückgenommen' in page.text
        refused_by_topic = await participant(progress, codes["topic"], provider_id)
        assert refused_by_topic["entries"] == []
        assert refused_by_topic["participant"]["state"] == "offered"
