"""``python -m bench.serve_app FACTORY FD``: an ASGI app factory under uvicorn on an inherited
listening socket, served as the services serve theirs
(:func:`ankommen.shared.cli.service.inherited_listener`): as TCP, so that asyncio turns
Nagle's algorithm off. ``uvicorn --fd`` wraps the socket as a Unix socket instead, and every
answer on a kept-alive connection then waits for the client's delayed ACK (40 ms on Linux) —
a baseline served that way would flatter every service compared with it."""

from __future__ import annotations

import socket
import sys

import uvicorn

from ankommen.shared.cli.service import KEEP_ALIVE_SECONDS


def main() -> None:
    factory, fd = sys.argv[1], int(sys.argv[2])
    server = uvicorn.Server(uvicorn.Config(factory, factory=True, access_log=False,
                                           proxy_headers=False, log_level="warning",
                                           timeout_keep_alive=KEEP_ALIVE_SECONDS))
    server.run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    main()
