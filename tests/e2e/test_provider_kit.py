"""The provider integration kit as a provider's developer meets it (issue 23, item 3): the
commands of docs/provider-integration.en.md — the example client, the kcat one-liners —
run word for word against ``ankommen run`` (what ``make run`` starts) on Apache Kafka, with
the credentials ``make run`` keeps for the demo county's Kafka provider. A person is
registered, placed and confirmed; the example client's reports are accepted (progress's API
shows them), its deliberately wrong report comes back as a rejection it prints; kcat's report
is accepted and kcat reads the rejection."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from ankommen.shared.identity.auth import Role
from ankommen.shared.settings import DEVELOPMENT_KAFKA_PROVIDERS
from tests.assignment.support import COORDINATOR, course_body
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.run_stack import AnkommenRun
from tests.support.services import token
from tests.support.surveys import registration

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DOCS = {language: ROOT / "docs" / f"provider-integration.{language}.md"
        for language in ("en", "de")}
PROVIDER = DEVELOPMENT_KAFKA_PROVIDERS
KCAT = shutil.which("kcat")


def command_blocks(document: Path) -> list[str]:
    """The shell blocks of a kit document, in order."""
    return re.findall(r"```sh\n(.*?)```", document.read_text(), flags=re.DOTALL)


def block(containing: str) -> str:
    """The one shell block of the English document that contains ``containing``."""
    found = [text for text in command_blocks(DOCS["en"]) if containing in text]
    assert len(found) == 1, (containing, found)
    return found[0]


async def run(script: str, environment: dict[str, str], folder: Path) -> tuple[int, str]:
    """``script`` as a provider's developer runs it: bash, in ``folder``, with the shell
    variables the document defines; its exit status and output."""
    process = await asyncio.create_subprocess_exec(
        "bash", "-euo", "pipefail", "-c", script, cwd=folder, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, output.decode(errors="replace")


async def shell(script: str, environment: dict[str, str], folder: Path) -> str:
    """``script``'s output; it must end well."""
    status, output = await run(script, environment, folder)
    assert status == 0, output
    return output


def kcat_librdkafka() -> tuple[int, ...]:
    """The librdkafka version kcat runs with, from ``kcat -V``."""
    said = subprocess.run(["kcat", "-V"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"librdkafka (\d+)\.(\d+)\.(\d+)", said)
    assert found, said
    return tuple(int(part) for part in found.groups())


async def reports_of(client: httpx.AsyncClient, stack: AnkommenRun, code: str
                     ) -> dict[str, str]:
    """Progress's stored reports on ``code``: report id → kind."""
    response = await client.get(f"{stack.url('progress')}/participants/{code}/reports",
                                headers=token(Role.PROVIDER, PROVIDER))
    assert response.status_code == 200, response.text
    return {entry["report_id"]: entry["kind"] for entry in response.json()["entries"]}


async def placed_and_confirmed(client: httpx.AsyncClient, stack: AnkommenRun,
                               course_start: str) -> str:
    """A course of the Kafka provider that started a month ago, a newcomer registered at
    intake and placed in it by assignment, the placement confirmed by the provider: its
    referral code, once progress knows it as confirmed."""
    course = course_body(f"kit-{os.urandom(3).hex()}", provider_id=PROVIDER,
                         starts_on=course_start,
                         ends_on=(county_today() + timedelta(days=150)).isoformat())
    created = await client.post(f"{stack.url('assignment')}/courses", json=course,
                                headers=COORDINATOR)
    assert created.status_code == 201, created.text
    registered = await client.post(f"{stack.url('intake')}/cases", json=registration(),
                                   headers=token(Role.INTAKE_STAFF))
    assert registered.status_code == 201, registered.text
    provider = token(Role.PROVIDER, PROVIDER)

    async def participants() -> dict[str, str]:
        response = await client.get(f"{stack.url('progress')}/participants",
                                    headers=provider)
        return {item["referral_code"]: item["state"] for item in response.json()
                if item["course_title"]}

    offered = await eventually(participants, until=lambda found: len(found) == 1,
                               timeout=60, interval=0.3, what="the newcomer placed")
    code = next(iter(offered))
    confirmed = await client.post(f"{stack.url('assignment')}/referrals/{code}/confirm",
                                  headers=provider)
    assert confirmed.status_code == 200, confirmed.text
    await eventually(participants, until=lambda found: found == {code: "confirmed"},
                     timeout=60, interval=0.3, what="progress knows the confirmation")
    return code


def test_both_languages_show_the_same_commands():
    english, german = (command_blocks(document) for document in DOCS.values())
    assert english and english == german


async def test_the_kits_commands_report_to_make_run_and_read_the_rejections(tmp_path):
    stack = AnkommenRun(tmp_path).start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            await stack.ready(client, within=90)
            course_start = (county_today() - timedelta(days=30)).isoformat()
            code = await placed_and_confirmed(client, stack, course_start)
            password_file = stack.data_dir / "kafka" / "credentials" / f"provider-{PROVIDER}"
            assert password_file.exists(), "make run keeps the provider's password there"
            environment = {
                **os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                "BOOTSTRAP": stack.bootstrap_servers, "PROVIDER": PROVIDER,
                "PASSWORD_FILE": str(password_file), "CODE": code,
                "COURSE_START": course_start, "DAY": county_today().isoformat()}

            printed = await shell(block("example_client.py"), environment, ROOT)
            reports = await eventually(lambda: reports_of(client, stack, code),
                                       until=lambda found: len(found) == 3, timeout=30,
                                       what="the example client's three reports stored")
            assert sorted(reports.values()) == ["attendance", "enrolment", "exam_result"]
            tomorrow = (county_today() + timedelta(days=1)).isoformat()
            refused = f"example-completion-{code}-{tomorrow}"
            assert f"rejected  {refused} ({code}): completed_on: in the future" in printed, \
                printed
            assert "1 rejection(s)" in printed, printed

            if KCAT is None:
                pytest.skip("kcat is not installed (make test installs it)")
            await shell(block("cat > report.json"), environment, tmp_path)
            # Debian 12's kcat (librdkafka 2.0.2) is refused by Kafka 4, as the document warns;
            # the document's commands lend it the confluent-kafka wheel's librdkafka.
            if kcat_librdkafka() < (2, 6, 1):
                status, said = await run(block("kcat -P"), environment, tmp_path)
                assert status != 0 and "invalid credentials" in said, said
            borrow = block("KCAT_LIB=")
            await shell(borrow + block("kcat -P"), environment, tmp_path)
            reports = await eventually(lambda: reports_of(client, stack, code),
                                       until=lambda found: len(found) == 4, timeout=30,
                                       what="kcat's report stored")
            assert reports[f"kcat-interruption-{code}-{environment['DAY']}"] == "interruption"
            read = await eventually(lambda: shell(borrow + block("kcat -C"), environment,
                                                  tmp_path),
                                    until=lambda output: refused in output, timeout=30,
                                    interval=1, what="kcat reads the rejection")
            assert read.startswith(f"{code} "), read
            assert "completed_on" in read and "in the future" in read, read
    finally:
        stopped = stack.interrupt()
    assert stopped == 0, stack.log_tail()
