"""The client address behind reverse proxies (ankommen.shared.web.proxies): the forwarding
header is believed only from configured proxies, read from the right, and only the one the
proxies write."""

from __future__ import annotations

import pytest
from starlette.types import Message, Scope

from ankommen.shared.settings import ForwardedHeader, ServiceSettings, parse_networks
from ankommen.shared.web.proxies import ProxyHeaders

PROXY = "10.0.0.2"


async def seen(headers: dict[str, str], *, peer: str = PROXY, trusted: str = "10.0.0.0/24",
               header: ForwardedHeader = ForwardedHeader.X_FORWARDED_FOR
               ) -> tuple[str, str]:
    """(client address, scheme) the app behind the middleware sees."""
    found: dict[str, Scope] = {}

    async def app(scope: Scope, *_: object) -> None:
        found["scope"] = scope

    async def receive() -> Message:
        return {"type": "http.request"}

    async def send(_: Message) -> None:
        return None

    middleware = ProxyHeaders(app, trusted=parse_networks(trusted), header=header)
    await middleware({"type": "http", "client": (peer, 5000), "scheme": "http",
                      "headers": [(name.lower().encode(), value.encode())
                                  for name, value in headers.items()]}, receive, send)
    return found["scope"]["client"][0], found["scope"]["scheme"]


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


async def test_a_value_that_is_no_address_leaves_the_proxy_as_the_client() -> None:
    assert (await seen({"X-Forwarded-For": "unknown"}))[0] == PROXY


@pytest.mark.parametrize(("value", "client"), [
    ("203.0.113.9:4711", "203.0.113.9"), ("2001:db8::1", "2001:db8::1"),
    ("[2001:db8::1]:4711", "2001:db8::1")])
async def test_ports_and_ipv6_in_x_forwarded_for(value: str, client: str) -> None:
    assert (await seen({"X-Forwarded-For": value}))[0] == client


async def test_the_forwarded_header_when_the_proxies_write_it() -> None:
    forwarded = ForwardedHeader.FORWARDED
    assert await seen({"Forwarded": 'for=1.2.3.4, for="[2001:db8::1]:4711";proto=https'},
                      header=forwarded) == ("2001:db8::1", "https")
    # The header the proxies do not write is the client's own: ignored.
    assert (await seen({"X-Forwarded-For": "203.0.113.9"}, header=forwarded))[0] == PROXY
    assert (await seen({"Forwarded": "for=203.0.113.9"}))[0] == PROXY


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert ServiceSettings(trusted_proxies="10.0.0.5, 172.18.0.0/16, ::1") \
        .trusted_proxy_networks[1].prefixlen == 16
    assert ServiceSettings().trusted_proxy_networks == ()
    with pytest.raises(ValueError, match="not an IP address or network"):
        ServiceSettings(trusted_proxies="proxy.internal")
