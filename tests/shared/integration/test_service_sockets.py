"""The harness's port race, replayed: a port probed free (``free_port``) and bound later by the
service could be taken in between by another test worker's process, and a test then talked to
the wrong service (a 404 on ``POST /courses`` in test_kafka_cluster.py). A service process now
serves on a socket its starter bound and holds (``listening_socket``, ``ANKOMMEN_<SERVICE>_
HTTP_FD``): nobody can take the port between choice and serving, nor while it restarts."""

from __future__ import annotations

import asyncio
import os
import socket
from types import SimpleNamespace

import httpx
import pytest

from ankommen.shared.cli.service import inherited_listener, server_config
from ankommen.tools.embedded import free_port, listening_socket
from tests.support.polling import eventually
from tests.support.services import ServiceProcess


def bind_as_a_server_would(port: int) -> socket.socket:
    """What another process's server does with a port it believes free (uvicorn sets
    SO_REUSEADDR, which lets a bind succeed on a port that is merely not listening)."""
    intruder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    intruder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        intruder.bind(("127.0.0.1", port))
        intruder.listen()
    except OSError:
        intruder.close()
        raise
    return intruder


def test_a_probed_free_port_can_be_taken_by_another_process_before_the_service_binds() -> None:
    """The old way's race, for the record: nothing holds a probed port."""
    port = free_port()
    bind_as_a_server_would(port).close()


def test_a_listening_socket_cannot_be_taken_or_handed_out_twice() -> None:
    held = [listening_socket()]
    port = held[0].getsockname()[1]
    try:
        with pytest.raises(OSError):
            bind_as_a_server_would(port)
        with pytest.raises(OSError):
            listening_socket(port=port)
        held += [listening_socket() for _ in range(50)]
        assert len({sock.getsockname()[1] for sock in held}) == 51
    finally:
        for sock in held:
            sock.close()


async def test_a_service_process_serves_on_the_socket_it_was_handed_even_across_a_restart(
        tmp_path) -> None:  # noqa: ANN001
    service = ServiceProcess.on_own_port("monitoring", {
        "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",  # no broker needed
        "ANKOMMEN_MONITORING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        "ANKOMMEN_MONITORING_MIGRATE_ON_STARTUP": "true",
        "ANKOMMEN_LOG_LEVEL": "WARNING"}, tmp_path / "monitoring.log")

    async def title(client: httpx.AsyncClient) -> str | None:
        try:
            return (await client.get("/openapi.json")).json()["info"]["title"]
        except httpx.HTTPError:
            return None

    try:
        # Between the port's choice and the service's start, another process wants it.
        with pytest.raises(OSError):
            bind_as_a_server_would(service.port)
        service.start()
        async with httpx.AsyncClient(base_url=service.base_url, timeout=5) as client:
            assert await eventually(lambda: title(client), timeout=60,
                                    what="monitoring serving") == "ankommen monitoring"
            service.kill()
            with pytest.raises(OSError):  # still ours while the service is down
                bind_as_a_server_would(service.port)
            service.start()
            assert await eventually(lambda: title(client), timeout=60,
                                    what="monitoring serving again") == "ankommen monitoring"
    finally:
        service.stop()
    bind_as_a_server_would(service.port).close()  # given up at the last stop


async def nodelay_of_a_connection_accepted_on(listener: socket.socket, port: int) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def handle(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(writer.get_extra_info("socket").getsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(handle, sock=listener)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        return await asyncio.wait_for(accepted, 10)
    finally:
        server.close()


async def test_connections_on_the_inherited_socket_are_not_held_back_by_nagle() -> None:
    """uvicorn's ``--fd`` wraps the socket as a Unix socket, so asyncio left Nagle on: each
    response on a kept-alive connection waited 40 ms for the client's delayed ACK (B8). The
    service now hands uvicorn the socket as what it is."""
    held = listening_socket()
    port = held.getsockname()[1]
    try:
        as_uvicorn_did = socket.fromfd(held.fileno(), socket.AF_UNIX, socket.SOCK_STREAM)
        assert await nodelay_of_a_connection_accepted_on(as_uvicorn_did, port) == 0
        (served,) = inherited_listener(SimpleNamespace(http_fd=os.dup(held.fileno())))
        assert await nodelay_of_a_connection_accepted_on(served, port) != 0
    finally:
        held.close()


def test_the_server_keeps_an_idle_connection_open_longer_than_its_clients_do() -> None:
    """Whoever closes an idle kept-alive connection first must be the client: a request the
    client sends the moment the server closes is lost ("Server disconnected without sending
    a response"). uvicorn's default (5 s) equals httpx's keep-alive expiry, and the demo test
    lost a confirmation to it."""
    config = server_config("app:app", SimpleNamespace(http_host="127.0.0.1",
                                                      resolved_http_port=0, http_fd=None))
    httpx_expiry = httpx.Limits().keepalive_expiry or 0.0  # what httpx clients use by default
    assert config.timeout_keep_alive > max(httpx_expiry, 60)  # 60: nginx's upstream keepalive
