"""The JSON Schemas in docs/events/ are generated from the models and must not go stale."""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path

import jsonschema

from ankommen.shared.events import registry
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.events.schemas import render_schemas
from tests.support.surveys import survey

DOCS = Path(__file__).resolve().parents[3] / "docs" / "events"


def test_committed_event_schemas_match_the_models():
    rendered = render_schemas(registry)
    committed = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.json")}
    assert set(committed) == set(rendered), "run `make schemas` and commit docs/events/"
    for name, content in rendered.items():
        assert committed[name] == content, f"{name} is stale: run `make schemas`"


def test_a_published_event_validates_against_its_documented_schema():
    data = CaseRegistered(pseudonym=secrets.token_urlsafe(24), survey=Survey(**survey()),
                          registered_on=date(2026, 11, 1))
    document = json.loads(registry.envelope(data, source="/ankommen/intake").to_bytes())
    schema = json.loads((DOCS / f"{CaseRegistered.event_type}.json").read_text())
    jsonschema.validate(document, schema)
    document["data"]["survey"]["german_level"] = "Z1"
    try:
        jsonschema.validate(document, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepted an invalid German level")
