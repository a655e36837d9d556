"""The benchmark kit's own parts, without services: results.json keyed by benchmark,
database and broker; the broker choice; the process tree whose CPU and memory B2/B4/B6 count;
B2's raw baseline's decoding."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ankommen.tools.demo import provider_message
from bench.harness import broker_label
from bench.processes import ProcessTree, spent_between
from bench.raw_ingest import row
from bench.results import Figure, table, write
from tests.support.polling import eventually


def figure(benchmark: str, value: float) -> Figure:
    return Figure(benchmark, "a figure", value, "/s", None, "", None, "reported", True)


def test_results_keep_each_database_and_broker_side_by_side(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    # A line written before the broker was a choice: it ran on the embedded broker.
    path.write_text(json.dumps({"figures": [{**figure("B2", 1.0).__dict__,
                                             "database": "sqlite"}]}))
    write([figure("B2", 2.0)], "sqlite", "kafka", path)
    write([figure("B2", 3.0), figure("B3", 4.0)], "postgresql", "kafka", path)
    write([figure("B2", 5.0)], "sqlite", "kafka", path)  # replaces its own line only

    lines = {(line["benchmark"], line["database"], line["broker"]): line["value"]
             for line in json.loads(path.read_text())["figures"]}
    assert lines == {("B2", "sqlite", "embedded"): 1.0, ("B2", "sqlite", "kafka"): 5.0,
                     ("B2", "postgresql", "kafka"): 3.0, ("B3", "postgresql", "kafka"): 4.0}
    assert table([figure("B2", 2.0)], "sqlite", "kafka").splitlines()[0] == \
        "on sqlite with the kafka broker"


def test_the_broker_is_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANKOMMEN_BENCH_BROKER", raising=False)
    assert broker_label() == "embedded"
    monkeypatch.setenv("ANKOMMEN_BENCH_BROKER", "Kafka")
    assert broker_label() == "kafka"
    monkeypatch.setenv("ANKOMMEN_BENCH_BROKER", "tansu")
    with pytest.raises(ValueError, match="embedded, kafka"):
        broker_label()


def test_the_process_tree_counts_a_child_the_service_started() -> None:
    """A "service" that starts a relay process: both are found, labelled and counted."""
    service = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, time\n"
        "relay = subprocess.Popen([sys.executable, '-c', "
        "'import time\\nwhile True: sum(range(10000))', 'relay'])\n"
        "print('up', flush=True)\n"
        "time.sleep(30)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert service.stdout is not None and service.stdout.readline().strip() == "up"
        tree = ProcessTree({"intake": service.pid})
        before = tree.cpu()
        assert set(before) == {"intake", "intake relay"}

        async def spent() -> float:
            return spent_between(before, tree.cpu())

        assert asyncio.run(eventually(spent, until=lambda seconds: seconds > 0.1,
                                      timeout=10, what="the busy relay's CPU counted"))
        memory = tree.peak_rss_mb()
        assert set(memory) == {"intake", "intake relay"} and min(memory.values()) > 1
    finally:
        for pid in ProcessTree({"intake": service.pid}).members().values():
            if pid != service.pid:
                subprocess.run(["kill", str(pid)], check=False)
        service.kill()
        service.wait()


def test_the_raw_baseline_decodes_a_report_as_progress_receives_it() -> None:
    report = {"report_id": "REF-1-00", "referral_code": "REF-1", "kind": "enrolment",
              "started_on": "2026-01-02"}
    value = provider_message("vhs-heidekreis", report)
    assert row(value) == {"report_id": "REF-1-00", "referral_code": "REF-1",
                          "kind": "enrolment", "body": value.decode()}
