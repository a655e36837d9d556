"""``ankommen run`` (what ``make run`` starts): the whole embedded stack as real processes, on
Apache Kafka and — forced by ``ANKOMMEN_EMBEDDED_BROKER=tansu``, as on a machine without Java —
on the in-memory Tansu broker."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from ankommen.shared.identity.auth import Role
from ankommen.shared.stack import PUBLISHING_SERVICES
from tests.support.brokers import connects
from tests.support.identity_provider import sign_in_by_form
from tests.support.polling import eventually
from tests.support.run_stack import AnkommenRun
from tests.support.services import token
from tests.support.surveys import registration

pytestmark = [pytest.mark.slow, pytest.mark.tansu]

#: The first line ``ankommen run`` says: which broker, and what it keeps.
NOTICES = {"apache-kafka": "survive restarts", "tansu": "keeps nothing across restarts"}
#: … and whether anyone who reaches it may use it (Kafka: SASL/SCRAM and ACLs; Tansu: open).
SECURITY = {"apache-kafka": "a principal per service and ACLs", "tansu": "runs OPEN"}


def arrivals(response: httpx.Response) -> int:
    return sum(row["applied"] for row in response.json()["by_type"]
               if row["type"] == "ankommen.intake.arrival_recorded.v1")


async def signs_in_at_the_identity_provider(page_url: str, user: str) -> bool:
    """Signed in through the provider's login form, back on the page."""
    async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
        page = await sign_in_by_form(browser, f"{page_url}/", user)
        assert page.status_code == 200, page.text[:2000]
        return str(page.url).startswith(page_url) and "/auth/start" not in page.text


async def test_embedded_stack_is_ready_in_a_minute_and_counts_a_registration_within_5_s(
        tmp_path, broker_kind):
    stack = AnkommenRun(tmp_path, broker_kind)
    started = time.monotonic()
    stack.start()
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            await stack.ready(client, within=60)
            print(f"\n{broker_kind}: ready after {time.monotonic() - started:.1f} s")
            status = f"{stack.url('monitoring')}/status"
            admin = token(Role.ADMIN)
            before = arrivals(await client.get(status, headers=admin))
            response = await client.post(f"{stack.url('intake')}/cases",
                                         json=registration(),
                                         headers=token(Role.INTAKE_STAFF))
            assert response.status_code == 201
            await eventually(lambda: client.get(status, headers=admin),
                             until=lambda response: arrivals(response) == before + 1,
                             timeout=5, interval=0.1, what="monitoring count raised within 5 s")
        # A newcomer opens intake's page and signs in at the development identity provider
        # with a user name (timed on its own: the minute above is the stack's).
        assert await signs_in_at_the_identity_provider(stack.url("intake"), "intake")
        # Secure by default: on Kafka, nobody gets in without a principal's password.
        assert await connects(stack.bootstrap_servers) == (
            broker_kind == "tansu")
        assert (stack.data_dir / "intake.db").exists()
    finally:
        code = stack.interrupt()
    log = stack.log_tail(200_000)
    assert code == 0, log[-3000:]
    # One line says which broker runs and what it keeps; the welcome names it with its version.
    notice = next(line for line in log.splitlines() if line.startswith("broker: "))
    assert NOTICES[broker_kind] in notice, log[:2000]
    assert SECURITY[broker_kind] in notice, log[:2000]
    assert f"broker      {'Apache Kafka' if broker_kind == 'apache-kafka' else 'Tansu'} " in log
    # The welcome names the identity provider's address and its development users.
    assert f"sign-in     http://127.0.0.1:{stack.identity_provider_port} " in log, log[-3000:]
    assert "koordination, traeger-vhs" in log and "password entwicklung" in log
    # Each publishing service's outbox relay ran in a process of its own (the registration
    # above reached monitoring through intake's) and stopped cleanly at Ctrl-C.
    for service in PUBLISHING_SERVICES:
        lines = [json.loads(line) for line in log.splitlines()
                 if line.startswith("{") and f'"service": "{service}"' in line]
        messages = [line.get("message") for line in lines]
        assert "outbox relay running" in messages, (service, log[-3000:])
        assert "outbox relay stopped" in messages, (service, log[-3000:])
    # Ctrl-C stopped every service and the broker: nothing listens any more.
    assert stack.nothing_listens()
