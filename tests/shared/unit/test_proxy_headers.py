"""The client address behind reverse proxies (``harden`` with uvicorn's proxy-header
middleware): ``X-Forwarded-For`` is believed only from configured proxies, read from the right."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from starlette.types import Message, Scope

from ankommen.shared.settings import ServiceSettings, parse_networks
from ankommen.shared.web.hardening import harden

PROXY = "10.0.0.2"


async def seen(headers: dict[str, str], *, peer: str = PROXY, trusted: str = "10.0.0.0/24"
               ) -> tuple[str, str]:
    """(client address, scheme) a route of a hardened app sees."""
    found: dict[str, tuple[str, str]] = {}
    app = FastAPI()
    harden(app, secret="s" * 40, secure_cookies=False, max_body_size=1024,
           trusted_proxies=parse_networks(trusted))

    @app.get("/who")
    async def who(request: Request) -> None:
        found["client"] = (request.client.host if request.client else "", request.url.scheme)

    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    scope: Scope = {"type": "http", "method": "GET", "path": "/who", "raw_path": b"/who",
                    "query_string": b"", "root_path": "", "client": (peer, 5000),
                    "server": ("testserver", 80), "scheme": "http", "http_version": "1.1",
                    "headers": [(name.lower().encode(), value.encode())
                                for name, value in headers.items()]}
    await app(scope, receive, send)
    assert messages[0]["status"] == 200, messages
    return found["client"]


async def test_nothing_is_trusted_by_default_not_even_loopback() -> None:
    assert await seen({"X-Forwarded-For": "203.0.113.9"}, peer="127.0.0.1", trusted="") == (
        "127.0.0.1", "http")


async def test_a_peer_that_is_no_configured_proxy_cannot_name_its_address() -> None:
    assert await seen({"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
                      peer="198.51.100.7") == ("198.51.100.7", "http")


async def test_a_trusted_proxy_names_the_client_and_its_scheme() -> None:
    assert await seen({"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}) == (
        "203.0.113.9", "https")


async def test_addresses_the_client_put_in_front_of_the_proxys_are_ignored() -> None:
    # The client sent "1.2.3.4"; the proxy appended the address it really came from.
    assert (await seen({"X-Forwarded-For": "1.2.3.4, 203.0.113.9"}))[0] == "203.0.113.9"
    # Two trusted proxies in a row: the first untrusted address from the right.
    assert (await seen({"X-Forwarded-For": "1.2.3.4, 203.0.113.9, 10.0.0.7"}))[0] == \
        "203.0.113.9"


async def test_a_value_that_is_no_address_names_no_one() -> None:
    # Every such client shares the one limit of "unknown", rather than each naming its own.
    assert (await seen({"X-Forwarded-For": "unknown"}))[0] == "unknown"


@pytest.mark.parametrize(("value", "client"), [
    ("203.0.113.9:4711", "203.0.113.9"), ("2001:db8::1", "2001:db8::1"),
    ("[2001:db8::1]:4711", "2001:db8::1")])
async def test_ports_and_ipv6_in_x_forwarded_for(value: str, client: str) -> None:
    assert (await seen({"X-Forwarded-For": value}))[0] == client


async def test_the_forwarded_header_is_not_believed() -> None:
    assert (await seen({"Forwarded": "for=203.0.113.9"}))[0] == PROXY


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert ServiceSettings(trusted_proxies="10.0.0.5, 172.18.0.0/16, ::1") \
        .trusted_proxy_networks[1].prefixlen == 16
    assert ServiceSettings().trusted_proxy_networks == ()
    with pytest.raises(ValueError, match="not an IP address or network"):
        ServiceSettings(trusted_proxies="proxy.internal")
