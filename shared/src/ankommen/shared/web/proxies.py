"""The client's address: the connection's peer, unless that peer is a configured proxy.

Rate limits count requests per client address, and a client that can choose its address is
not limited at all. ``X-Forwarded-For`` and ``Forwarded`` are ordinary request headers that
anyone can send, so they are believed only from the reverse proxies the operator names
(``ANKOMMEN_TRUSTED_PROXIES``, addresses or networks; none by default) — and only the one
header those proxies write (``ANKOMMEN_FORWARDED_HEADER``): a proxy that appends to
``X-Forwarded-For`` passes a client's own ``Forwarded`` header on untouched, and the other way
round.

The services are served with uvicorn's own proxy-header handling switched off
(:func:`ankommen.shared.cli.service.server_config`): it believes ``X-Forwarded-For`` from
127.0.0.1 by default, so anyone on the machine, or behind any proxy on it, could pick their
address. This middleware does the same job inside the app, whatever serves it, with nothing
trusted unless configured.

Each proxy appends the address it received the request from, so the header is read from the
right: the client is the first address that is not a trusted proxy (addresses further left
were written by the client and are ignored). A value that is not an IP address (``unknown``,
an obfuscated ``_node``) leaves the proxy's own address as the client's — all such clients
then share one limit, rather than each naming its own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from ankommen.shared.settings import ForwardedHeader, Network


def _address(value: str) -> str | None:
    """The IP address in a header value (``192.0.2.1``, ``192.0.2.1:4711``, ``[2001:db8::1]``,
    ``"[2001:db8::1]:4711"``), normalised; None when there is none."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _values(scope: Scope, name: bytes) -> list[str]:
    """All items of a comma-separated header, over every line it was sent in, in order."""
    joined = ",".join(value.decode("latin-1") for key, value in scope.get("headers") or []
                      if key == name)
    return [item.strip() for item in joined.split(",")] if joined else []


def _forwarded_hops(scope: Scope) -> list[tuple[str, str | None]]:
    """(``for``, ``proto``) of each element of the ``Forwarded`` header, client first."""
    hops = []
    for element in _values(scope, b"forwarded"):
        pairs = {}
        for pair in element.split(";"):
            key, _, value = pair.partition("=")
            pairs[key.strip().lower()] = value.strip().strip('"')
        hops.append((pairs.get("for", ""), pairs.get("proto")))
    return hops


class ProxyHeaders:
    """ASGI middleware: ``scope["client"]`` (and ``scope["scheme"]``) from the forwarding
    header when — and only when — the peer is a trusted proxy."""

    def __init__(self, app: ASGIApp, *, trusted: Iterable[Network],
                 header: ForwardedHeader = ForwardedHeader.X_FORWARDED_FOR) -> None:
        self._app = app
        self._trusted = tuple(trusted)
        self._header = header

    def _is_trusted(self, host: str | None) -> bool:
        if not host:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self._trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self._trusted:
            peer = scope.get("client")
            if peer and self._is_trusted(peer[0]):
                self._apply(scope)
        await self._app(scope, receive, send)

    def _apply(self, scope: Scope) -> None:
        if self._header is ForwardedHeader.FORWARDED:
            hops = _forwarded_hops(scope)
        else:
            hops = [(value, None) for value in _values(scope, b"x-forwarded-for")]
        if hops:
            # From the right: the first hop that is not itself a trusted proxy.
            index = next((i for i in range(len(hops) - 1, -1, -1)
                          if not self._is_trusted(_address(hops[i][0]))), 0)
            client, proto = hops[index]
            address = _address(client)
            if address is not None:
                scope["client"] = (address, 0)
        else:
            proto = None
        if self._header is ForwardedHeader.X_FORWARDED_FOR:
            values = _values(scope, b"x-forwarded-proto")
            proto = values[0] if len(values) == 1 else None
        if proto and proto.lower() in ("http", "https"):
            scheme = proto.lower()
            scope["scheme"] = scheme.replace("http", "ws") if scope["type"] == "websocket" \
                else scheme
