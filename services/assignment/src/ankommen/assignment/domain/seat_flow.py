"""The minimum-cost flow behind an allocation, solved tier by tier so its costs stay small.

The network: source → group → course (→ sink), where a *group* is a set of people who fit the
same courses at the same costs (see :mod:`candidates`); a group member who needs a childcare
place reaches the course through the course's childcare node, whose capacity is the free
childcare places. Each group can also send its members straight to the sink ("stays waiting"),
through one arc per *rank* among them — a priority value and a number of days on the waiting
list — so the flow leaves the members with the lowest priority waiting, and of equal priority
those who joined the list last.

The objective is lexicographic: (1) the total wait to start (staying unplaced counts as the
horizon), (2) the priority of those left waiting, then (2b) their days on the list — of equal
priority whoever waited longer goes first, across groups too, so a newer person never takes a
seat that an older one of the same priority could take instead — and (3) the secondary score
parts. Weighting all tiers into one cost makes the weights grow with the square of the instance
(50,000 people need costs around 10^15, beyond what OR-Tools' cost scaling accepts:
``BAD_COST_RANGE``). Instead:

1. Tiers 1, 2 and 2b are solved as one cost. A rank costs
   ``priority × (most days on the list + 1) + days``, so priority decides before days. The wait
   weight only has to exceed the largest rank cost: a simple cycle of the residual network
   passes the sink once, so it changes the waiting arcs (the only ones that cost a rank) by at
   most one unit in and one out, a difference below the wait weight, while any change of the
   total wait (an integer) costs at least the wait weight. A flow without a negative residual
   cycle for the one cost thus has none that is lexicographically negative: it is optimal for
   the tiers in order. Costs stay below 10^10 at any size.
2. The node potentials of that optimum (shortest distances in its residual network, found with a
   second, uncapacitated flow problem) give each arc's reduced cost. By complementary slackness
   the flows optimal for tiers 1–2b are exactly those that fill every arc of negative reduced
   cost, leave every arc of positive reduced cost empty and use the zero ones freely.
3. Tier 3 is solved on that restricted network with the secondary costs alone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np

from ankommen.assignment.domain.scoring import HORIZON_DAYS


class AllocationFailed(RuntimeError):
    """The solver did not find an optimum (it always should: staying unplaced is feasible)."""


@dataclass(frozen=True)
class Group:
    """People who fit the same courses at the same costs: the bundles they fit with the
    secondary cost of each; each distinct rank among them — ``priorities`` and ``days`` on the
    waiting list, in pairs — and ``counts``, how many members have it."""

    bundles: np.ndarray
    secondary: np.ndarray
    priorities: np.ndarray
    days: np.ndarray
    counts: np.ndarray

    @property
    def size(self) -> int:
        return int(self.counts.sum())


@dataclass(frozen=True)
class Courses:
    """Per course: free seats, free childcare places, days to start; and the bundles (each an
    array of course numbers, and whether its people take a childcare place)."""

    seats: np.ndarray
    childcare: np.ndarray
    wait: np.ndarray
    bundles: Sequence[tuple[np.ndarray, bool]]


@dataclass(frozen=True)
class GroupFlow:
    """Per group: people sent to each of its bundles, and left waiting per rank;
    per bundle: people sent to each of its courses."""

    placed: list[np.ndarray]
    waiting: list[np.ndarray]
    bundled: list[np.ndarray]


@dataclass(frozen=True)
class _Network:
    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    #: Tiers 1 and 2 in one cost, and tier 3.
    primary: np.ndarray
    secondary: np.ndarray
    supplies: np.ndarray


def _joined(arrays: list[np.ndarray], dtype: type[np.int64] = np.int64) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype)


def _network(groups: Sequence[Group], courses: Courses) -> _Network:
    g, b, m = len(groups), len(courses.bundles), len(courses.seats)
    group_node, bundle_node = 2, 2 + g
    course_node, childcare_node = 2 + g + b, 2 + g + b + m
    days = _joined([group.days for group in groups])
    longest = int(days.max(initial=0))
    ranks = _joined([group.priorities for group in groups]) * (longest + 1) + days
    wait_weight = int(ranks.max(initial=0)) + 1
    sizes = np.array([group.size for group in groups], dtype=np.int64)
    per_rank = np.array([len(group.priorities) for group in groups], dtype=np.int64)
    per_bundle = np.array([len(group.bundles) for group in groups], dtype=np.int64)
    bundle_sizes = np.array([len(members) for members, _ in courses.bundles], dtype=np.int64)
    bundle_courses = _joined([members for members, _ in courses.bundles])
    bundle_childcare = np.repeat([childcare for _, childcare in courses.bundles],
                                 bundle_sizes).astype(bool)
    group_nodes = group_node + np.arange(g, dtype=np.int64)
    zeros_m = np.zeros(m, dtype=np.int64)
    everyone = int(sizes.sum())
    tails = np.concatenate([np.zeros(g, np.int64), np.repeat(group_nodes, per_rank),
                            np.repeat(group_nodes, per_bundle),
                            np.repeat(bundle_node + np.arange(b), bundle_sizes),
                            childcare_node + np.arange(m), course_node + np.arange(m)])
    heads = np.concatenate([group_nodes, np.ones(len(ranks), np.int64),
                            bundle_node + _joined([group.bundles for group in groups]),
                            np.where(bundle_childcare, childcare_node, course_node)
                            + bundle_courses,
                            course_node + np.arange(m), np.ones(m, np.int64)])
    capacities = np.concatenate([sizes, _joined([group.counts for group in groups]),
                                 np.repeat(sizes, per_bundle),
                                 courses.seats[bundle_courses], courses.childcare,
                                 courses.seats])
    primary = np.concatenate([np.zeros(g, np.int64), HORIZON_DAYS * wait_weight + ranks,
                              np.zeros(int(per_bundle.sum()), np.int64),
                              courses.wait[bundle_courses] * wait_weight, zeros_m, zeros_m])
    secondary = np.concatenate([np.zeros(g + len(ranks), np.int64),
                                _joined([group.secondary for group in groups]),
                                np.zeros(len(bundle_courses) + 2 * m, np.int64)])
    supplies = np.zeros(2 + g + b + 2 * m, dtype=np.int64)
    supplies[0], supplies[1] = everyone, -everyone
    return _Network(tails, heads, np.maximum(capacities, 0), primary, secondary, supplies)


class _MinCostFlow(Protocol):
    """What this module uses of ortools' ``SimpleMinCostFlow``, typed as it behaves: the stubs
    ortools generates put the dtype where numpy's ``ndarray`` takes the shape, type the arrays
    it returns as ``object`` and leave ``solve`` untyped."""

    OPTIMAL: object

    def add_arcs_with_capacity_and_unit_cost(self, tails: np.ndarray, heads: np.ndarray,
                                             capacities: np.ndarray, unit_costs: np.ndarray,
                                             ) -> np.ndarray: ...
    def set_nodes_supplies(self, nodes: np.ndarray, supplies: np.ndarray) -> object: ...
    def solve(self) -> object: ...
    def flows(self, arcs: np.ndarray) -> np.ndarray: ...


def _min_cost_flow(tails: np.ndarray, heads: np.ndarray, capacities: np.ndarray,
                   costs: np.ndarray, supplies: np.ndarray) -> np.ndarray:
    # OR-Tools (~17 MB resident) at the first solve, not at start: the relay process (its
    # settings import the allocation policy) and a service that allocates nothing never load it.
    from ortools.graph.python import min_cost_flow

    solver = cast(_MinCostFlow, min_cost_flow.SimpleMinCostFlow())
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int64), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise AllocationFailed(f"min-cost flow ended with status {status}")
    return solver.flows(arcs)


def potentials(tails: np.ndarray, heads: np.ndarray, capacities: np.ndarray,
               costs: np.ndarray, flows: np.ndarray, nodes: int) -> np.ndarray:
    """Shortest distances in the residual network of an optimal flow (which has no negative
    cycle): a root reaches every node at cost 0, and the root sends one unit to every node over
    uncapacitated residual arcs. Every arc that carries flow then lies on a shortest path, so
    the distances follow from the root along those arcs."""
    forward, backward = flows < capacities, flows > 0
    root = nodes
    residual_tails = np.concatenate([tails[forward], heads[backward],
                                     np.full(nodes, root, np.int64)])
    residual_heads = np.concatenate([heads[forward], tails[backward], np.arange(nodes)])
    residual_costs = np.concatenate([costs[forward], -costs[backward],
                                     np.zeros(nodes, np.int64)])
    supplies = np.full(nodes + 1, -1, dtype=np.int64)
    supplies[root] = nodes
    used = _min_cost_flow(residual_tails, residual_heads,
                          np.full(len(residual_tails), nodes, np.int64), residual_costs,
                          supplies) > 0
    outgoing: dict[int, list[tuple[int, int]]] = {}
    for tail, head, cost in zip(residual_tails[used].tolist(), residual_heads[used].tolist(),
                                residual_costs[used].tolist(), strict=True):
        outgoing.setdefault(tail, []).append((head, cost))
    distance = np.zeros(nodes + 1, dtype=np.int64)
    seen = {root}
    queue = deque([root])
    while queue:
        tail = queue.popleft()
        for head, cost in outgoing.get(tail, ()):
            if head not in seen:
                seen.add(head)
                distance[head] = distance[tail] + cost
                queue.append(head)
    return distance[:nodes]


def lexicographic_flow(groups: Sequence[Group], courses: Courses) -> GroupFlow:
    """The optimal flow (tiers: wait, priority then days on the list, secondary) of ``groups``
    into ``courses``."""
    net = _network(groups, courses)
    nodes = len(net.supplies)
    first = _min_cost_flow(net.tails, net.heads, net.capacities, net.primary, net.supplies)
    distance = potentials(net.tails, net.heads, net.capacities, net.primary, first, nodes)
    reduced = net.primary + distance[net.tails] - distance[net.heads]
    full, free = reduced < 0, reduced == 0
    supplies = net.supplies.copy()
    np.subtract.at(supplies, net.tails[full], net.capacities[full])
    np.add.at(supplies, net.heads[full], net.capacities[full])
    flows = np.where(full, net.capacities, 0)
    if free.any():
        flows[free] = _min_cost_flow(net.tails[free], net.heads[free], net.capacities[free],
                                     net.secondary[free], supplies)
    sizes = [len(group.priorities) for group in groups], [len(group.bundles) for group in groups]
    bundle_sizes = [len(members) for members, _ in courses.bundles]
    parts = np.cumsum([len(groups), sum(sizes[0]), sum(sizes[1]), sum(bundle_sizes)])
    waiting, placed, bundled = np.split(flows, parts)[1:4]
    return GroupFlow(_split(placed, sizes[1]), _split(waiting, sizes[0]),
                     _split(bundled, bundle_sizes))


def _split(flows: np.ndarray, lengths: list[int]) -> list[np.ndarray]:
    return np.split(flows, np.cumsum(lengths)[:-1]) if lengths else []
