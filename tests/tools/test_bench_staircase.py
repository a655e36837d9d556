"""B4's staircase without services: which step counts as sustained, where the climb stops,
and which rate is the figure — from fake timings (the benchmark itself is
``make bench ONLY=B4``)."""

from __future__ import annotations

import asyncio

from bench.staircase import (
    GROWTH_LIMIT_MS,
    LATENCY_BOUND_MS,
    Step,
    climb,
    highest_sustained,
)


def step(rate: float, *, accepted_share: float = 1.0, latency_ms: float = 200.0,
         growth_ms: float = 0.0, refused: int = 0, missing: int = 0,
         seconds: float = 20.0) -> Step:
    """A step whose registrations took ``latency_ms`` at first and ``growth_ms`` more by
    its end (a straight line: a queue that grows)."""
    offered = round(rate * seconds)
    visible = [latency_ms + growth_ms * number / max(1, offered - 1)
               for number in range(offered - missing - refused)]
    return Step(rate, seconds, offered, round(accepted_share * offered), refused, visible,
                missing, cpu_seconds=offered * 0.012, lag_ms=[0.5] * offered)


def test_a_step_that_keeps_up_is_sustained() -> None:
    kept_up = step(40)
    assert kept_up.sustained and kept_up.why_not_sustained() == []
    assert kept_up.accepted_rate == 40 and kept_up.cpu_ms_per_registration == 12.0
    assert kept_up.summary()["load_lag_ms"] == {"p50": 0.5, "p99": 0.5, "max": 0.5}


def test_each_sign_of_falling_behind_makes_a_step_unsustained() -> None:
    assert "intake accepted 36.0/s of 40/s" in step(40, accepted_share=0.9).why_not_sustained()
    assert not step(40, latency_ms=LATENCY_BOUND_MS + 1).sustained
    assert not step(40, refused=1).sustained
    assert not step(40, missing=1).sustained
    # A queue growing within the step, its p95 still under the bound.
    growing = step(40, latency_ms=100, growth_ms=GROWTH_LIMIT_MS * 2.5)
    assert growing.p95_ms is not None and growing.p95_ms < LATENCY_BOUND_MS
    assert [reason for reason in growing.why_not_sustained() if "grew" in reason]
    assert step(40, growth_ms=GROWTH_LIMIT_MS / 2).sustained


def test_the_climb_stops_at_the_first_step_that_is_not_sustained() -> None:
    capacity = 45
    asked: list[float] = []

    async def run_step(rate: float) -> Step:
        asked.append(rate)
        return step(rate, accepted_share=min(1.0, capacity / rate),
                    latency_ms=150 if rate <= capacity else 9_000)

    steps = asyncio.run(climb(run_step, (10, 20, 40, 60, 80)))
    assert asked == [10, 20, 40, 60]
    best = highest_sustained(steps)
    assert best is not None and best.rate == 40
    assert [each.sustained for each in steps] == [True, True, True, False]


def test_nothing_sustained_means_no_highest_rate() -> None:
    async def run_step(rate: float) -> Step:
        return step(rate, latency_ms=LATENCY_BOUND_MS * 3)

    steps = asyncio.run(climb(run_step, (10, 20)))
    assert len(steps) == 1 and highest_sustained(steps) is None
