"""A rebuild admits facts by the same rules as the live consumer: a fact from a service that
does not own its type (forged onto the facts topic, or archived before the rule existed) is
refused on replay too, not folded into the published figures."""

from __future__ import annotations

from ankommen.monitoring.domain.folding import FoldedFacts
from ankommen.monitoring.service.rebuild import _published_at, _Replay
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.topics import FACTS
from tests.monitoring.unit.test_fact_handling import arrival_recorded, bounds


def test_a_rebuild_refuses_a_fact_that_its_owner_did_not_publish():
    replay = _Replay(FoldedFacts(bounds()), FACTS.name)
    for source in ("/ankommen/monitoring", "/ankommen/assignment", "/providers/vhs-a"):
        assert replay.admit(registry.envelope(arrival_recorded(), source=source).to_bytes(),
                            _published_at) is None
    assert replay.refused == 3
    assert not replay.seen
    admitted = replay.admit(registry.envelope(arrival_recorded(), source="/ankommen/intake")
                            .to_bytes(), _published_at)
    assert admitted is not None
    assert replay.seen == {admitted.envelope.id}
