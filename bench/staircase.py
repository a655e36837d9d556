"""B4's open-loop staircase, as logic without services: rising registration rates, each held
for a step, until the pipeline no longer keeps up — and what "keeps up" means.

A step offers ``rate`` registrations per second on a schedule fixed in advance (open loop:
registration *i* is due at ``t0 + i / rate`` and sent then, answered or not; latencies count
from the due time, so a slow service cannot slow the load down and hide its queue). The step
is **sustained** when

- intake accepted what was offered: at least :data:`ACCEPTED_SHARE` of the registrations
  were answered 201 by the step's end plus :data:`ANSWER_GRACE_SECONDS`, none refused;
- everything accepted reached the dashboard (monitoring) within the drain after the step;
- p95 from registration to dashboard stayed bounded: at most :data:`LATENCY_BOUND_MS`;
- nothing queued up during the step: the registrations of its last quarter were not slower
  (median) than those of its first quarter by more than :data:`GROWTH_LIMIT_MS` — a queue
  that grows a little every second is the sign of a rate above capacity even while its p95
  is still under the bound.

The climb stops at the first step that is not sustained; the highest sustained rate is the
figure, its step's CPU per registration the cost."""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Registrations per second, step by step (5 first: on the shared 2-core machine the
#: pipeline did not always sustain 10).
RATES = (5, 10, 20, 40, 60, 80, 100, 120, 150)
STEP_SECONDS = 20
ACCEPTED_SHARE = 0.95
ANSWER_GRACE_SECONDS = 1.0
LATENCY_BOUND_MS = 2_000.0
GROWTH_LIMIT_MS = 500.0


@dataclass
class Step:
    """What one step measured (latencies in ms from each registration's due time)."""

    rate: float
    seconds: float
    offered: int
    #: Answered 201 by the end of the step plus the grace.
    accepted: int
    #: Answered with anything but 201 (or not at all, for an error of the connection).
    refused: int
    #: Registration → dashboard, in due order, of those that got there.
    visible_ms: list[float]
    #: Accepted but not on the dashboard within the drain.
    missing: int
    #: CPU-seconds of every service process (and every process they started) from the
    #: step's start until its last registration was on the dashboard (or the drain ended).
    cpu_seconds: float
    #: How late the load generator sent each registration after its due time (ms).
    lag_ms: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted_rate(self) -> float:
        return self.accepted / self.seconds

    @property
    def registrations(self) -> int:
        return self.offered - self.refused

    @property
    def cpu_ms_per_registration(self) -> float:
        return self.cpu_seconds * 1000 / max(1, self.registrations)

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.visible_ms, 0.95) if self.visible_ms else None

    @property
    def growth_ms(self) -> float:
        """Median of the last quarter minus median of the first quarter (0 if too few)."""
        quarter = len(self.visible_ms) // 4
        if quarter < 2:
            return 0.0
        return (statistics.median(self.visible_ms[-quarter:])
                - statistics.median(self.visible_ms[:quarter]))

    def why_not_sustained(self) -> list[str]:
        """The reasons the step does not count as sustained (none: it does)."""
        reasons = []
        if self.refused:
            reasons.append(f"{self.refused} refused")
        if self.accepted < ACCEPTED_SHARE * self.offered:
            reasons.append(f"intake accepted {self.accepted_rate:.1f}/s of {self.rate:g}/s")
        if self.missing:
            reasons.append(f"{self.missing} not on the dashboard within the drain")
        p95 = self.p95_ms
        if p95 is None or p95 > LATENCY_BOUND_MS:
            reasons.append("p95 not measured" if p95 is None
                           else f"p95 {p95:.0f} ms > {LATENCY_BOUND_MS:.0f} ms")
        if self.growth_ms > GROWTH_LIMIT_MS:
            reasons.append(f"latency grew by {self.growth_ms:.0f} ms within the step")
        return reasons

    @property
    def sustained(self) -> bool:
        return not self.why_not_sustained()

    def summary(self) -> dict[str, Any]:
        """The step as a line of the figure's details."""
        lag = sorted(self.lag_ms)
        return {"rate_per_s": self.rate, "seconds": self.seconds, "offered": self.offered,
                "accepted_rate_per_s": round(self.accepted_rate, 1),
                "refused": self.refused, "missing": self.missing,
                "visible_p50_ms": round(percentile(self.visible_ms, 0.5), 1)
                if self.visible_ms else None,
                "visible_p95_ms": None if self.p95_ms is None else round(self.p95_ms, 1),
                "growth_ms": round(self.growth_ms, 1),
                "cpu_ms_per_registration": round(self.cpu_ms_per_registration, 2),
                "load_lag_ms": {"p50": round(percentile(lag, 0.5), 2),
                                "p99": round(percentile(lag, 0.99), 2),
                                "max": round(lag[-1], 2)} if lag else None,
                "sustained": self.sustained, "why_not": self.why_not_sustained(),
                **self.details}


async def climb(run_step: Callable[[float], Awaitable[Step]],
                rates: Sequence[float] = RATES) -> list[Step]:
    """Run step after step, stopping after the first that is not sustained."""
    steps: list[Step] = []
    for rate in rates:
        step = await run_step(rate)
        steps.append(step)
        if not step.sustained:
            break
    return steps


def highest_sustained(steps: Sequence[Step]) -> Step | None:
    sustained = [step for step in steps if step.sustained]
    return max(sustained, key=lambda step: step.rate) if sustained else None


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]
