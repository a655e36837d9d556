"""Each service's AsyncAPI document (docs/asyncapi/): generated from the code, served at
``/asyncapi.json``, never stale, describing what the service really publishes and consumes,
and valid for the official AsyncAPI parser (deploy/asyncapi-validator, `make
asyncapi-validator`)."""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ankommen.shared.events import registry
from ankommen.shared.events.envelope import CONTENT_TYPE
from ankommen.shared.messaging.asyncapi import render, schema_pointer
from ankommen.shared.messaging.consumer import DLQ_REASON
from ankommen.shared.messaging.kafka_acls import WIRING
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.stack import SERVICES
from tests.support.services import settings_for

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "asyncapi"
EVENT_SCHEMAS = ROOT / "docs" / "events"
VALIDATOR = ROOT / "deploy" / "asyncapi-validator"


def runtime_of(service: str) -> ServiceRuntime:
    """The service's runtime with its consumers, as the app has it (nothing connected)."""
    return importlib.import_module(f"ankommen.{service}.app").build_runtime(
        settings_for(service, database_url="sqlite+aiosqlite://"))


def committed(service: str) -> dict[str, Any]:
    return json.loads((DOCS / f"{service}.json").read_text(encoding="utf-8"))


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    assert (VALIDATOR / "node_modules" / "@asyncapi" / "parser").is_dir(), \
        "the AsyncAPI parser is missing: run `make asyncapi-validator`"
    return subprocess.run(["node", "validate.mjs", *map(str, paths)], cwd=VALIDATOR,
                          capture_output=True, text=True, timeout=120, check=False)


def test_committed_documents_are_those_the_services_generate():
    assert sorted(path.stem for path in DOCS.glob("*.json")) == sorted(SERVICES), \
        "run `make schemas` and commit docs/asyncapi/"
    for service in SERVICES:
        generated = render(runtime_of(service).asyncapi())
        assert (DOCS / f"{service}.json").read_text(encoding="utf-8") == generated, \
            f"docs/asyncapi/{service}.json is stale: run `make schemas`"


def test_the_service_command_writes_the_document_make_schemas_commits(tmp_path):
    """``ankommen-<service> asyncapi``, which `make schemas` runs for each service."""
    cli = importlib.import_module("ankommen.monitoring.entrypoints.cli").app
    out = tmp_path / "monitoring.json"
    result = CliRunner().invoke(cli, ["asyncapi", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (DOCS / "monitoring.json").read_text(
        encoding="utf-8")
    printed = CliRunner().invoke(cli, ["asyncapi"])
    assert printed.exit_code == 0 and printed.stdout == out.read_text(encoding="utf-8")


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_serves_its_document_next_to_its_openapi_document(service):
    app = importlib.import_module(f"ankommen.{service}.app").create_app(
        settings_for(service, database_url="sqlite+aiosqlite://"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=f"http://{service}") as client:
        answer = await client.get("/asyncapi.json")
        again = await client.get("/asyncapi.json")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.text == (DOCS / f"{service}.json").read_text(encoding="utf-8") == again.text


@pytest.mark.parametrize("service", SERVICES)
def test_operations_are_what_the_service_publishes_and_consumes(service):
    """Against the wiring the broker's ACLs are made from (kafka_acls.WIRING, which another
    test holds to the services' definitions and consumers)."""
    document = committed(service)
    wiring = WIRING[service]
    runtime = runtime_of(service)

    def addresses(action: str) -> set[str]:
        found: set[str] = set()
        for operation in document["operations"].values():
            if operation["action"] == action:
                channel = operation["channel"]["$ref"].removeprefix("#/channels/")
                found.add(document["channels"][channel]["address"])
        return found

    dead_letters = {topic.dead_letter for topic in wiring.consumes}
    assert addresses("send") == {topic.name for topic in wiring.publishes} | dead_letters
    assert addresses("receive") == {topic.name for topic in wiring.consumes}
    groups = {operation["bindings"]["kafka"]["groupId"]["enum"][0]
              for operation in document["operations"].values()
              if operation["action"] == "receive"}
    assert groups == {consumer.group_id for consumer in runtime.consumers}
    assert all(operation["bindings"]["kafka"]["clientId"]["enum"] == [f"ankommen-{service}"]
               for operation in document["operations"].values())


@pytest.mark.parametrize("service", SERVICES)
def test_messages_name_their_key_headers_and_schema(service):
    document = committed(service)
    messages = document["components"]["messages"]
    for channel in document["channels"].values():
        for reference in channel["messages"].values():
            message = messages[reference["$ref"].removeprefix("#/components/messages/")]
            headers = message["headers"]["properties"]
            if channel["address"].endswith(".dlq"):
                assert DLQ_REASON in message["headers"]["required"]
                continue
            model = registry.model_for(message["name"])
            assert model.topic == channel["address"]
            assert headers["content-type"]["const"] == CONTENT_TYPE
            assert message["payload"] == {"$ref": schema_pointer(message["name"])}
            assert f"`{model.aggregate_type}`" in message["bindings"]["kafka"]["key"][
                "description"]
            # Facts link to nothing: no trace context on their topic.
            assert ("traceparent" in headers) is (channel["address"] !=
                                                  "ankommen.monitoring.facts")


@pytest.mark.parametrize("service", SERVICES)
def test_embedded_schemas_are_those_of_docs_events(service):
    for event_type, schema in committed(service)["components"]["schemas"].items():
        text = json.dumps(schema).replace(f'"{schema_pointer(event_type)}/', '"#/')
        assert json.loads(text) == json.loads(
            (EVENT_SCHEMAS / f"{event_type}.json").read_text(encoding="utf-8")), event_type


def test_provider_topics_are_channels_with_the_provider_as_parameter():
    document = committed("progress")
    provider_channels = {channel["address"]: channel for channel in
                         document["channels"].values() if "{provider_id}" in channel["address"]}
    assert sorted(provider_channels) == ["ankommen.provider.{provider_id}.rejections",
                                         "ankommen.provider.{provider_id}.reports",
                                         "ankommen.provider.{provider_id}.reports.dlq"]
    for channel in provider_channels.values():
        assert list(channel["parameters"]) == ["provider_id"]
        assert "topic" not in channel["bindings"]["kafka"]


def test_the_server_is_productions_behind_sasl_scram_over_tls():
    for service in SERVICES:
        document = committed(service)
        (server,) = document["servers"].values()
        assert server["host"] == "{bootstrap_server}" and "bootstrap_server" in server[
            "variables"]
        assert server["protocol"] == "kafka-secure"
        (scheme,) = document["components"]["securitySchemes"].values()
        assert scheme["type"] == "scramSha512"


def test_the_official_asyncapi_parser_accepts_every_document():
    result = validate(*sorted(DOCS.glob("*.json")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("valid AsyncAPI 3.0.0") == len(SERVICES), result.stdout


def test_the_official_asyncapi_parser_refuses_an_invalid_document(tmp_path):
    """The validator can fail: an operation with AsyncAPI 2's action, a dangling reference."""
    document = committed("monitoring")
    (operation,) = (name for name, operation in document["operations"].items()
                    if operation["action"] == "receive")
    document["operations"][operation]["action"] = "subscribe"
    broken_action = tmp_path / "action.json"
    broken_action.write_text(json.dumps(document), encoding="utf-8")
    document = committed("intake")
    document["channels"]["ankommen.intake.cases"]["messages"] = {
        "gone": {"$ref": "#/components/messages/ankommen.intake.no_such_event.v1"}}
    broken_reference = tmp_path / "reference.json"
    broken_reference.write_text(json.dumps(document), encoding="utf-8")

    for path, complaint in ((broken_action, '"action" property must be equal to one of'),
                            (broken_reference, "ankommen.intake.no_such_event.v1")):
        result = validate(path)
        assert result.returncode == 1, result.stdout
        assert complaint in result.stdout and f"{path}: invalid" in result.stdout
