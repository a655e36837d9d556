"""Which broker ``ankommen run`` starts when Apache Kafka cannot run here (no Java 17+, no
Maven): Tansu, said in one line — unless Kafka was asked for. The Kafka path itself runs in
``tests/e2e/test_make_run.py`` and ``tests/e2e/test_restart_keeps_everything.py``."""

from __future__ import annotations

import pytest

from ankommen.shared.settings import BrokerChoice, BrokerKind
from ankommen.tools import apache_kafka
from ankommen.tools.apache_kafka import KafkaUnavailable
from ankommen.tools.embedded import free_port
from ankommen.tools.local_broker import BrokerUnavailable, start_local_broker

REASON = "Apache Kafka needs Java 17 or newer (no java found)"


@pytest.fixture
def no_java(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise KafkaUnavailable(REASON)

    monkeypatch.setattr(apache_kafka, "check_java", missing)


def test_without_java_the_stack_falls_back_to_tansu_and_says_so_in_one_line(no_java, tmp_path):
    said: list[str] = []
    broker = start_local_broker(BrokerChoice.AUTO, tmp_path, f"127.0.0.1:{free_port()}",
                                said.append)
    try:
        assert broker.running and broker.name.startswith("Tansu ")
        assert "\n" not in broker.notice
        assert f"Apache Kafka unavailable ({REASON})" in broker.notice
        assert "keeps nothing across restarts" in broker.notice
        assert "runs OPEN: no authentication, no ACLs" in broker.notice
        assert "ANKOMMEN_KAFKA_USERNAME" not in broker.service_environment("intake")
        assert broker.service_environment()["ANKOMMEN_KAFKA_BROKER_KIND"] == "tansu"
        assert said == []
    finally:
        broker.stop()
    assert not broker.running


def test_kafka_asked_for_but_unavailable_is_an_error_not_a_fallback(no_java, tmp_path):
    with pytest.raises(BrokerUnavailable, match="ANKOMMEN_EMBEDDED_BROKER=kafka"):
        start_local_broker(BrokerChoice.KAFKA, tmp_path, f"127.0.0.1:{free_port()}",
                           print)


def test_tansu_asked_for_does_not_look_for_java(monkeypatch, tmp_path):
    monkeypatch.setattr(apache_kafka, "check_java", lambda: pytest.fail("looked for Java"))
    broker = start_local_broker(BrokerChoice.TANSU, tmp_path, f"127.0.0.1:{free_port()}",
                                print)
    try:
        assert "ANKOMMEN_EMBEDDED_BROKER=tansu" in broker.notice
        assert broker.kind is BrokerKind.TANSU
    finally:
        broker.stop()


def test_a_kafka_log_from_before_authentication_is_refused_not_opened(tmp_path):
    """Its metadata has no admin credential: started secured, nobody could sign in; started
    open, it would run without ACLs. So the stack stops and says what to do."""
    metadata = tmp_path / "kafka" / "node-1" / "metadata"
    metadata.mkdir(parents=True)
    (metadata / "meta.properties").write_text("node.id=1\n")
    with pytest.raises(RuntimeError, match="from before authentication"):
        start_local_broker(BrokerChoice.KAFKA, tmp_path, f"127.0.0.1:{free_port()}", print)
    assert not (tmp_path / "kafka" / "credentials").exists()
