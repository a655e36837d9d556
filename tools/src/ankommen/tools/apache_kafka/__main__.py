"""``python -m ankommen.tools.apache_kafka``: resolve the pinned Apache Kafka once (Maven
Central into Maven's cache) and say which version it is — ``make test`` calls it before the
tests, so that the first test does not wait for Maven, and a missing Java shows up at once."""

from __future__ import annotations

import sys

from ankommen.tools.apache_kafka import KafkaUnavailable, classpath, pinned_version


def main() -> int:
    try:
        jars = classpath().split(":")
    except KafkaUnavailable as error:
        print(f"Apache Kafka {pinned_version()}: {error}", file=sys.stderr)
        return 1
    print(f"Apache Kafka {pinned_version()}: resolved ({len(jars)} jars in Maven's cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
