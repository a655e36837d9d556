"""Token relay (issue 20): a provider's person signed in to progress's pages through the
identity provider sees the names intake disclosed for consenting participants — progress
forwards the person's own access token from the provider (kept in the session, never in the
browser), intake verifies it against the provider's published keys as the same provider
principal and audits the disclosure to it. A coordinator's token is no provider's.

Both services on real ports (the provider redirects the browser back to progress), without a
broker: the course and the placement reach each service through its own handlers."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from ankommen.intake.adapters.tables import audit_log
from ankommen.intake.service import placements as intake_placements
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import (
    CourseApproval,
    CoursePublished,
    PlacementConfirmed,
)
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.identity.auth import InvalidToken, Role
from ankommen.shared.identity.jwks_tokens import ClientTokenSettings, JwksTokenVerifier
from ankommen.shared.web.pages import session_cookie
from ankommen.tools.embedded import listening_socket
from tests.progress.integration.catalogue import catalogue_events, record_directly, referral_code
from tests.support.identity_provider import (
    ROLE_MAPPING,
    page_client,
    running_identity_provider,
    sign_in_by_form,
)
from tests.support.services import served_over_http, token
from tests.support.surveys import identity, registration

PROVIDER = "vhs-heidekreis"  # the development provider's user traeger-vhs belongs to it
NO_BROKER = "127.0.0.1:1"


async def handled(service, handler, data) -> None:  # noqa: ANN001
    async with service.runtime.uow() as uow:
        envelope = registry.envelope(data, source="/ankommen/assignment")
        await handler(uow, DecodedEvent(envelope=envelope, data=data))
        await uow.commit()


async def test_a_provider_signed_in_at_the_identity_provider_sees_consented_names(
        tmp_path, sqlite_databases):
    code = referral_code()
    events, _ = catalogue_events(PROVIDER, [code])
    [published] = [data for _, data in events if isinstance(data, CoursePublished)]
    published = CoursePublished(course=published.course.model_copy(
        update={"approval": CourseApproval.APPROVED}))
    # Progress's port first: the provider must know its redirect URI before either starts.
    listener = listening_socket()
    progress_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    clients = [page_client("progress", progress_url),
               page_client("intake", "http://127.0.0.1:9")]  # intake: only its API here
    with running_identity_provider(tmp_path / "idp", clients) as provider:
        async with served_over_http("intake", bootstrap=NO_BROKER,
                                    database_url=await sqlite_databases.url("intake"),
                                    **provider.settings(clients[1])) as (intake_url, intake), \
                served_over_http("progress", bootstrap=NO_BROKER, listener=listener,
                                 database_url=await sqlite_databases.url("progress"),
                                 intake_url=intake_url, intake_timeout_seconds=20,
                                 **provider.settings(clients[0])) as (_, progress):
            response = await intake.client.post("/cases", headers=token(Role.INTAKE_STAFF),
                                                json=registration(person=identity(
                                                    family_name="Haddad", given_names="Layla"),
                                                    consents=["share_contact_with_provider"]))
            assert response.status_code == 201, response.text
            await handled(intake, intake_placements.record_course, published)
            await handled(intake, intake_placements.record_placement, PlacementConfirmed(
                placement_id=uuid.uuid4().hex, pseudonym=response.json()["pseudonym"],
                referral_code=code, course_id=published.course.course_id,
                provider_id=PROVIDER))
            await record_directly(progress, events)

            async with httpx.AsyncClient(follow_redirects=True, timeout=20) as browser:
                page = await sign_in_by_form(browser, f"{progress_url}/", "traeger-vhs")
                assert page.status_code == 200, page.text
                assert str(page.url).startswith(progress_url)
                assert code in page.text and "Layla Haddad" in page.text
                # The browser holds a session id, not the token that was relayed.
                session_id = browser.cookies.get(session_cookie("progress"))
                assert session_id.count(".") == 0
                kept = progress.runtime._oidc.sessions.use(session_id)
                assert kept is not None and kept.access_token.count(".") == 2

            async with intake.runtime.sessions() as session:
                audited = (await session.execute(select(audit_log).where(
                    audit_log.c.action == "disclose_contact"))).mappings().all()
            assert [(row["actor"], row["role"], row["recipient"]) for row in audited] == [
                ("traeger-vhs", "provider", PROVIDER)], audited

            # The relayed token is the person's: the same provider principal as the session.
            # A coordinator's token names no provider and no provider's group: refused.
            verifier = JwksTokenVerifier(ClientTokenSettings(
                issuer=provider.issuer, roles=tuple((group, Role(role)) for group, role in
                                                    ROLE_MAPPING.items())))
            # (The session's principal names the provider's person too, for the audit log;
            # the access token verifies as subject, role and provider.)
            relayed = verifier.verify(kept.access_token)
            assert (relayed.subject, relayed.role, relayed.provider_id) == (
                kept.principal.subject, kept.principal.role, kept.principal.provider_id)
            async with httpx.AsyncClient(follow_redirects=True, timeout=20) as browser:
                await sign_in_by_form(browser, f"{progress_url}/", "koordination")
                coordinator = progress.runtime._oidc.sessions.use(
                    browser.cookies.get(session_cookie("progress")))
            assert coordinator is not None and coordinator.access_token
            with pytest.raises(InvalidToken):
                verifier.verify(coordinator.access_token)
