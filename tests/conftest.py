"""Fixtures shared by all tests: the real brokers, real databases, tokens.

The broker is Apache Kafka, one per test session (``kafka`` hands each test the same broker
with all topics fresh). Tests marked ``tansu`` — the smoke set of the embedded path — run once
more against the embedded Tansu broker. The header of every run names both versions.

The session's Apache Kafka is open (PLAINTEXT, no ACLs): its tests delete and create topics
per test and publish as whoever they play, forgers included. The tests of authentication and
ACLs ask for ``secured_kafka`` instead, a second broker with the authoriser on, started only
when one of them runs.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import pytest

from ankommen.shared.web.i18n import STRICT_TEXTS_VARIABLE
from ankommen.tools.apache_kafka import KafkaCluster
from tests.support import event_coverage
from tests.support.brokers import (
    APACHE_KAFKA,
    TANSU,
    SecuredKafka,
    SharedKafka,
    TestBroker,
    fresh_tansu,
    fresh_topics,
    kafka_description,
    start_secured_kafka,
    start_session_kafka,
    tansu_description,
)
from tests.support.databases import POSTGRES_URL, DatabaseFactory
from tests.support.source_tree import keep_hypothesis_out_of_the_tree, snapshot, written_since
from tests.support.tokens import trust_in_this_process

keep_hypothesis_out_of_the_tree()
# A page asking for a text no catalogue has fails the test that renders it (services started
# as processes inherit it), instead of showing the key to a clerk.
os.environ.setdefault(STRICT_TEXTS_VARIABLE, "1")
# Before any service is built: every one verifies with this test process's issuer key.
trust_in_this_process()

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not POSTGRES_URL, reason="ANKOMMEN_TEST_POSTGRES_URL is not set"),
    ]),
]


def pytest_report_header() -> list[str]:
    return [f"broker (main suites): {kafka_description()}",
            f"broker (smoke set, tests marked tansu): {tansu_description()}",
            f"PostgreSQL: {POSTGRES_URL or 'not configured (SQLite only)'}"]


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, not each xdist worker
        session.config.stash[_TREE] = snapshot()


def pytest_configure(config: pytest.Config) -> None:
    event_coverage.watch()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent when xdist is not loaded
def pytest_testnodedown(node: object, error: object) -> None:
    """An xdist worker finished: add what its tests sent across the services' boundaries."""
    observed = getattr(node, "workeroutput", {}).get("event_coverage")
    if observed is not None:
        event_coverage.OBSERVED.add(observed)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller judges
        workeroutput["event_coverage"] = event_coverage.OBSERVED.as_data()
        return
    _check_event_coverage(session)
    before = session.config.stash.get(_TREE, None)
    if before is None:
        return
    written = written_since(before)
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("tests wrote into the source tree: " + ", ".join(written[:20]),
                                red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_TREE = pytest.StashKey[dict[str, int]]()


def _check_event_coverage(session: pytest.Session) -> None:
    """Every event crossing a service boundary went through a real broker in some test
    (tests/support/event_coverage.py). Judged only on the whole suite, where a crossing left
    out means no test makes it."""
    if not (event_coverage.whole_suite(session.config.args_source, session.config.option)
            and session.testscollected > 0):
        # Reading the boundaries builds every service's app: a part of the suite only says
        # which crossings it made (with -v), to help find the test that makes a missing one.
        if session.config.option.verbose > 0:
            made = event_coverage.OBSERVED.covered(event_coverage.provider_channel())
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None and made:
                reporter.write_line("events handled after a real broker: "
                                    + "; ".join(map(str, sorted(made))))
        return
    known = event_coverage.boundaries()
    missing = event_coverage.uncovered(event_coverage.OBSERVED, known)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"events crossing a service boundary through a real broker: "
                            f"{len(known.crossings) - len(missing)} of {len(known.crossings)}")
        if missing:
            reporter.write_line("no test sent these through a real broker: "
                                + "; ".join(map(str, missing)), red=True)
    if missing:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


#: The longest tests, longest first, as measured in a full run with three workers on the
#: two-core machine (seconds in the comments). The workers take tests one at a time in this
#: order (``--dist load --maxschedchunk 1``), so the long ones spread over the workers and none
#: is left for the end; refresh the list when a test's length changes a lot (``--durations``
#: shows them).
_LONGEST_FIRST = (
    "tests/reliability/test_kafka_cluster.py",  # 169
    "tests/monitoring/integration/test_attribute_disclosure.py",  # 157, 40, 16
    "tests/reliability/test_api_fuzzing.py",  # 84-132 per service
    "tests/reliability/test_crash_consistency.py",  # 130
    "tests/reliability/test_broker_outage.py",  # 119 (Kafka), 75 (Tansu)
    "tests/reliability/test_county_year.py",  # 94, 74 per database, 19
    "tests/e2e/test_restart_keeps_everything.py",  # 83 (Kafka), 62 (Tansu)
    "tests/browser/test_demo_county.py",  # 81
    "tests/e2e/test_provider_kit.py",  # 51-60 alone
    "tests/reliability/test_database_outage.py",  # 55
    "tests/browser/test_case_work_pages.py",  # 41
    "tests/e2e/test_make_run.py",  # 41 (Kafka), 29 (Tansu)
    "tests/browser/test_coordinator_month.py",  # 39
    "tests/test_types.py",  # 33
    "tests/e2e/test_cloudevents_sdk.py",  # 18-25 alone
    "tests/shared/integration/test_outbox_relay.py",  # 23
    "tests/monitoring/integration/test_safe_rebuild.py",  # 22, 20 per broker
    "tests/browser/test_provider_month.py",  # 19
    "tests/browser/test_sign_in_each_role.py",  # 18
    "tests/browser/test_intake_form.py",  # 18
    "tests/assignment/unit/test_allocation.py",  # 15
    "tests/assignment/unit/test_incremental_placement.py",  # 15
    "tests/reliability/test_poison_messages.py",  # 13-14 per broker
)
#: Then the folders whose tests start whole systems, before the many short tests.
_LONG_FOLDERS = ("tests/reliability/", "tests/e2e/", "tests/browser/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first: the run ends when the last long test does, so the long ones
    must not be left for the end (a stable sort keeps pytest's order within a rank)."""
    ranks = _LONGEST_FIRST + _LONG_FOLDERS

    def rank(item: pytest.Item) -> int:
        return next((index for index, prefix in enumerate(ranks)
                     if item.nodeid.startswith(prefix)), len(ranks))

    items.sort(key=rank)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``tansu`` that use a broker run on both brokers."""
    if "broker_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker("tansu"):
        metafunc.parametrize("broker_kind", [APACHE_KAFKA, TANSU], indirect=True)


@pytest.fixture
def broker_kind(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", APACHE_KAFKA)


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    """The session's Apache Kafka broker (started on first use)."""
    cluster = start_session_kafka(tmp_path_factory.mktemp("kafka"))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def secured_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredKafka]:
    """Apache Kafka with the authoriser on and the ACL plan applied (started on first use,
    only by the tests of authentication and ACLs; see tests.support.brokers.SecuredKafka)."""
    secured = start_secured_kafka(tmp_path_factory.mktemp("secured-kafka"))
    try:
        yield secured
    finally:
        secured.cluster.stop()


@pytest.fixture
def kafka(request: pytest.FixtureRequest, broker_kind: str, tmp_path) -> Iterator[TestBroker]:  # noqa: ANN001
    """The test's broker with every topic of ankommen, none holding a message yet."""
    if broker_kind == TANSU:
        monkeypatch = request.getfixturevalue("monkeypatch")
        # The services apply Tansu's workarounds (no idempotent producer, quick metadata).
        monkeypatch.setenv("ANKOMMEN_KAFKA_BROKER_KIND", "tansu")
        tansu = fresh_tansu(tmp_path)
        try:
            yield tansu
        finally:
            tansu.stop()
        return
    shared = SharedKafka(request.getfixturevalue("kafka_cluster"))
    shared.start()  # in case an earlier test left it stopped
    asyncio.run(fresh_topics(shared.bootstrap_servers))
    yield shared


@pytest.fixture(params=BACKENDS)
async def databases(request, tmp_path) -> AsyncIterator[DatabaseFactory]:  # noqa: ANN001
    """Databases for the services under test, on SQLite and (when configured) PostgreSQL."""
    factory = DatabaseFactory(request.param, tmp_path)
    yield factory
    await factory.drop_all()


@pytest.fixture
async def sqlite_databases(tmp_path) -> AsyncIterator[DatabaseFactory]:  # noqa: ANN001
    """SQLite only: for tests whose subject is not the database."""
    yield DatabaseFactory("sqlite", tmp_path)
