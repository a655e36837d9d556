"""A Kafka-protocol relay for running Debian's ``kcat`` against the embedded broker.

Debian's kcat links librdkafka 2.0.2, which cannot parse the tagged fields of the embedded
(Tansu) broker's ApiVersions v3 response and gives up. This relay answers that one request
with UNSUPPORTED_VERSION — exactly what an older Kafka broker does — so librdkafka falls back
to ApiVersions v0 as it does with real brokers; every other request and response passes
through unchanged except that the broker's advertised port is replaced by the relay's (same
byte length), so kcat keeps talking through the relay. Production Kafka needs none of this.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator

API_VERSIONS = 18
UNSUPPORTED_VERSION = 35


async def _frame(reader: asyncio.StreamReader) -> bytes:
    size = struct.unpack(">i", await reader.readexactly(4))[0]
    return await reader.readexactly(size)


def _send(writer: asyncio.StreamWriter, payload: bytes) -> None:
    writer.write(struct.pack(">i", len(payload)) + payload)


@contextlib.asynccontextmanager
async def kcat_relay(broker_host: str, broker_port: int) -> AsyncIterator[str]:
    """Yields the relay's bootstrap address."""
    ports: list[int] = []

    async def serve(client_reader: asyncio.StreamReader,
                    client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(broker_host,
                                                                         broker_port)
        advertised = broker_host.encode() + struct.pack(">i", broker_port)
        relayed = broker_host.encode() + struct.pack(">i", ports[0])

        async def requests() -> None:
            while True:
                request = await _frame(client_reader)
                api_key, api_version, correlation = struct.unpack(">hhi", request[:8])
                if api_key == API_VERSIONS and api_version >= 3:
                    _send(client_writer, struct.pack(">ih", correlation, UNSUPPORTED_VERSION))
                    await client_writer.drain()
                    continue
                _send(upstream_writer, request)
                await upstream_writer.drain()

        async def responses() -> None:
            while True:
                response = await _frame(upstream_reader)
                _send(client_writer, response.replace(advertised, relayed))
                await client_writer.drain()

        tasks = [asyncio.create_task(requests()), asyncio.create_task(responses())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            upstream_writer.close()
            client_writer.close()

    server = await asyncio.start_server(serve, broker_host, 0)
    ports.append(server.sockets[0].getsockname()[1])
    try:
        yield f"{broker_host}:{ports[0]}"
    finally:
        server.close()
