"""A cluster's bootstrap is several addresses, comma-separated (as production sets
``ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS``): every Kafka client of a service must reach the cluster
through it, also when the first address does not answer (that broker is down)."""

from __future__ import annotations

from ankommen.shared.messaging.broker import bootstrap_list, create_broker
from ankommen.tools.embedded import free_port


def test_a_bootstrap_string_becomes_one_address_per_broker():
    assert bootstrap_list("k1:9092, k2:9092,k3:9092,") == ["k1:9092", "k2:9092", "k3:9092"]


async def test_the_service_broker_connects_through_a_comma_separated_bootstrap(kafka):
    down = f"127.0.0.1:{free_port()}"
    broker = create_broker(f"{down},{kafka.bootstrap_servers}", client_id="ankommen-test")
    try:
        await broker.connect()
        assert await broker.ping(5.0)
    finally:
        await broker.stop()
