"""B3's load: the wrk script sends each prepared body once with the Authorization header and
reports 201, 409 and other answers in the JSON line the benchmark reads; the service's CPU is
read from /proc. Against a tiny local HTTP server, so that the script is checked without the
services (the benchmark itself is ``make bench ONLY=B3``)."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.b3_intake_http import cpu_seconds, distinct_bodies, write_bodies, wrk

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None,
                                reason="Debian's wrk (make bench installs it)")


class Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, str | None, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.received.append((self.path, self.headers["Authorization"], body))
        status = 409 if body.get("duplicate") else 201
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.handle_error = lambda *_: None  # wrk closes its connections mid-answer at the end
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_wrk_sends_the_bodies_in_turn_and_counts_the_answers(server: str,
                                                             tmp_path: Path) -> None:
    bodies = [{"person": number} for number in range(50)] + [{"duplicate": True}]
    path = write_bodies(tmp_path / "bodies.jsonl", bodies)

    run = wrk(server, path, "Bearer x.y.z", 1, os.getpid())

    received = Recorder.received
    assert run.requests == run.created + run.conflicts + run.refused > len(bodies)
    assert run.refused == run.socket_errors == 0 and run.conflicts >= 1
    assert {(path, authorization) for path, authorization, _ in received} == {
        ("/cases", "Bearer x.y.z")}
    # In turn: each body once before any comes again, so counts differ by one at most — or
    # by two, where up to 16 requests (one per connection) were still in flight at the end.
    counts = [sum(1 for _, _, sent in received if sent == body) for body in bodies]
    assert max(counts) - min(counts) <= 2 and min(counts) >= 1
    assert run.cpu_seconds >= 0 and run.rate > 0


def test_cpu_seconds_reads_this_process() -> None:
    assert cpu_seconds(os.getpid()) > 0


def test_bodies_are_people_the_duplicate_check_does_not_confuse() -> None:
    bodies = distinct_bodies(400)
    births = [(body["identity"]["family_name"], body["identity"]["given_names"],
               body["identity"]["birth_date"]) for body in bodies]
    assert 300 < len(bodies) <= 400 and len(set(births)) == len(births)
