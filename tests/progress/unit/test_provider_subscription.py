"""Progress reads every provider's reports topic through one pattern subscription, and may
write any provider's rejections topic — never a provider's reports."""

from __future__ import annotations

from ankommen.progress.app import DEFINITION, build_runtime
from ankommen.progress.config import ProgressSettings
from ankommen.shared.messaging.topics import (
    PROVIDER_REJECTIONS,
    PROVIDER_REPORTS,
    PROVIDER_REPORTS_PATTERN,
)


def test_progress_subscribes_to_every_providers_reports_by_the_pattern_unchanged():
    runtime = build_runtime(ProgressSettings(_env_file=None,
                                             database_url="sqlite+aiosqlite://"))
    [subscriber] = [subscriber for subscriber in runtime.broker.subscribers
                    if subscriber.group_id == "ankommen.progress.provider-reports"]
    assert subscriber.topics == []
    # FastStream would read a bare "{name}" in a pattern as a path parameter: ours has none.
    assert subscriber.pattern.broker_address == PROVIDER_REPORTS_PATTERN


def test_progress_publishes_the_providers_rejections_and_no_reports():
    assert PROVIDER_REJECTIONS in DEFINITION.publishes
    assert PROVIDER_REPORTS not in DEFINITION.publishes
    assert not any("reports" in topic.name for topic in DEFINITION.publishes)


def test_progress_sees_a_new_providers_topic_within_half_a_minute():
    assert ProgressSettings(_env_file=None).kafka_metadata_max_age_ms == 30_000
