"""JSON Schemas of every event, generated from the pydantic models into ``docs/events/``.

The schemas are documentation for other teams and provider systems; they are generated, never
hand-edited, and a test fails when the committed files differ from the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import EventRegistry


def event_schema(event_type: str, registry: EventRegistry) -> dict[str, Any]:
    """The schema of one event: the envelope with ``type`` fixed and ``data`` typed."""
    model = registry.model_for(event_type)
    schema = Envelope.model_json_schema()
    data_schema = model.model_json_schema()
    definitions = {**schema.pop("$defs", {}), **data_schema.pop("$defs", {})}
    schema["title"] = model.__name__
    schema["description"] = (model.__doc__ or "").strip()
    schema["properties"]["type"] = {"const": event_type, "title": "Type"}
    schema["properties"]["data"] = data_schema
    schema["x-topic"] = model.topic
    if definitions:
        schema["$defs"] = definitions
    schema["$id"] = f"https://ankommen.example/events/{event_type}.json"
    return schema


def render_schemas(registry: EventRegistry) -> dict[str, str]:
    """File name → file content for every registered event type."""
    return {
        f"{event_type}.json": json.dumps(event_schema(event_type, registry), indent=2,
                                         sort_keys=True, ensure_ascii=False) + "\n"
        for event_type in registry.models
    }


def write_schemas(directory: Path, registry: EventRegistry) -> list[Path]:
    """Write the schemas, removing files of event types that no longer exist."""
    directory.mkdir(parents=True, exist_ok=True)
    rendered = render_schemas(registry)
    for stale in directory.glob("*.json"):
        if stale.name not in rendered:
            stale.unlink()
    written: list[Path] = []
    for name, content in rendered.items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
