"""The attacker of issue 15: what can someone learn about a person from every published number?

The attacker knows the method and its settings (minimum count, the Cell Key noise's maximum
deviation, the population threshold, whether zeros are protected), sees every number every
channel publishes, and knows of the target person only his district, his arrival month and that
he arrived. He writes what he saw as constraints on unknown integer counts and asks an exact
solver (scipy's ``milp``, HiGHS) which of the person's attribute values remain possible: he
*infers* an attribute with certainty when exactly one value admits a solution.

Unknowns, per world: for every attribute dimension ``d`` the count ``x[d][month, district,
value]`` ≥ 0 and the total ``n[month, district]`` = Σ over ``d``'s values. "Before" is the world
without the person, "after" adds him at (his month, his district, ``v_d``) with ``v_d`` unknown
(one binary ``p[d][v]`` per value, exactly one set per dimension). Every published number of a
cell (months of a period × districts of an area × one value of one dimension, or all people)
becomes a range on the cell's sum:

* a shown value ``v``: ``[max(min_count, v - D), v + D]``; a shown 0: exactly 0;
* protected ``small_count``: ``[0, min_count - 1]`` when zeros are protected, else
  ``[1, min_count - 1]``; ``secondary``: ≥ min_count;
* ``small_population``: the table's total is at most ``min_population - 1``.

Cell Key consistency (noise depends only on the set of facts): the same cell published with two
different values in the two worlds contains the person; two nested cells of one snapshot
published with different values differ by at least one fact. Disjunctive knowledge (e.g. "the
equal values of two nested cells mean either no difference or a coincidence of noise") is left
out: leaving a constraint out can only make the attacker weaker at *inferring*, never make a
wrong inference, so whatever he infers is certain, and the test's "infers nothing" is a proof
against exactly this attacker — not against every conceivable one (docs/monitoring.md).

A single snapshot is attacked as well ("group disclosure"): for a district and a period, if
everybody there provably shares one value of a dimension, whoever knows that a person arrived
there then knows his value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, vstack

World = Literal["before", "after"]
#: No cell the scenario publishes holds more facts than this (bounds the unknowns for HiGHS).
MOST = 10_000


@dataclass(frozen=True)
class Cell:
    """A set of facts a published number is computed from: arrivals of these months in these
    districts with this value of this dimension (``dimension`` None: all of them)."""

    months: frozenset[str]
    districts: frozenset[str]
    dimension: str | None = None
    value: str | None = None

    def within(self, other: Cell) -> bool:
        """Whether every fact of this cell is, by definition, one of ``other``'s."""
        same_kind = other.dimension is None or (self.dimension, self.value) == (
            other.dimension, other.value)
        return same_kind and self.months <= other.months and self.districts <= other.districts

    def covers(self, month: str, district: str) -> bool:
        return month in self.months and district in self.districts


@dataclass(frozen=True)
class Observation:
    """One published number: its cell, what was shown, and the table total it belongs to (a
    ``small_population`` number says something about the total only)."""

    world: World
    cell: Cell
    value: int | None
    protected: str | None
    table_total: Cell | None = None


@dataclass(frozen=True)
class Method:
    """What the attacker knows of the publication method (settings are public)."""

    min_count: int = 5
    max_deviation: int = 2
    min_population: int = 20
    zeros_protected: bool = True
    #: Whether a table is also left unanswered when it differs from a coarser one by fewer
    #: than ``min_population`` facts: then ``small_population`` does not mean a small total
    #: (it means "small total, or a small difference to some coarser population" — a
    #: disjunction, left out).
    complement: bool = True

    def range_of(self, value: int | None, protected: str | None) -> tuple[int, int] | None:
        """The sum a published number allows for its cell (None: no knowledge)."""
        if protected is None and value is not None:
            if value == 0:
                return 0, 0
            return max(self.min_count, value - self.max_deviation), value + self.max_deviation
        if protected == "small_count":
            return (0 if self.zeros_protected else 1), self.min_count - 1
        if protected == "secondary":
            return self.min_count, MOST
        if protected == "small_population" and not self.complement:
            return 0, max(self.min_population - 1, 0)
        return None


@dataclass(frozen=True)
class Person:
    month: str
    district: str


@dataclass
class _Program:
    """A mixed-integer feasibility program, built row by row."""

    size: int = 0
    upper: list[float] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    _base: tuple[csr_array, np.ndarray, np.ndarray] | None = None

    def variable(self, upper: float = MOST) -> int:
        self.size += 1
        self.upper.append(upper)
        return self.size - 1

    def add(self, terms: Mapping[int, float], low: float, high: float) -> None:
        self.rows.append((dict(terms), low, high))

    def _matrix(self, rows: Sequence[tuple[Mapping[int, float], float, float]],
                columns: int | None = None) -> tuple[csr_array, np.ndarray, np.ndarray]:
        entries = [(index, variable, coefficient) for index, (terms, _, _) in enumerate(rows)
                   for variable, coefficient in terms.items()]
        row, column, data = (np.array(part, dtype=float) for part in zip(*entries, strict=True)
                             ) if entries else (np.zeros(0), np.zeros(0), np.zeros(0))
        matrix = coo_array((data, (row.astype(int), column.astype(int))),
                           shape=(len(rows), columns or self.size)).tocsr()
        return (matrix, np.array([low for _, low, _ in rows], dtype=float),
                np.array([high for _, _, high in rows], dtype=float))

    def solve(self, extra: Sequence[tuple[Mapping[int, float], float, float]] = (),
              diverse: Sequence[Mapping[int, float]] = ()) -> np.ndarray | None:
        """A solution of every row (and the extra ones), or None when there is none.

        ``diverse``: expressions the solution should make positive, as many as it can (one
        binary each, ≤ the expression, maximised) — one solve then shows many values possible
        at once, where asking value by value would take a solve each."""
        if self._base is None or self._base[0].shape[0] != len(self.rows):
            self._base = self._matrix(self.rows)
        matrix, lows, highs = self._base
        rows = list(extra)
        size = self.size + len(diverse)
        for index, expression in enumerate(diverse):
            rows.append(({self.size + index: 1, **{v: -c for v, c in expression.items()}},
                         -MOST, 0))
        if rows:
            more, more_lows, more_highs = self._matrix(rows, size)
            matrix = vstack([_widened(matrix, size), more]).tocsr()
            lows, highs = np.concatenate([lows, more_lows]), np.concatenate([highs, more_highs])
        objective = np.concatenate([np.zeros(self.size), -np.ones(len(diverse))])
        # Diversity is a help, not a question: the first good solution will do.
        result = milp(objective, integrality=np.ones(size),
                      bounds=Bounds(np.zeros(size), np.array([*self.upper, *[1] * len(diverse)])),
                      constraints=LinearConstraint(matrix, lows, highs),
                      options={"mip_rel_gap": 0.5} if diverse else {})
        if result.status == 0:
            return np.rint(result.x[:self.size])
        if result.status == 2:  # infeasible
            return None
        raise AssertionError(f"the solver gave up: {result.message}")


def _widened(matrix: csr_array, columns: int) -> csr_array:
    if matrix.shape[1] == columns:
        return matrix
    return csr_array((matrix.data, matrix.indices, matrix.indptr),
                     shape=(matrix.shape[0], columns))


class Attack:
    """The attacker's model of one population (arrivals): every observation as a constraint.

    ``person`` None: a single world, no person (the single-snapshot attack)."""

    def __init__(self, method: Method, dimensions: Mapping[str, Sequence[str]],
                 months: Iterable[str], districts: Iterable[str],
                 observations: Iterable[Observation], person: Person | None = None) -> None:
        self.method = method
        self.dimensions = {name: tuple(values) for name, values in dimensions.items()}
        self.months, self.districts = sorted(set(months)), sorted(set(districts))
        self.person = person
        self.program = _Program()
        program = self.program
        self.total = {(m, d): program.variable() for m in self.months for d in self.districts}
        self.counts = {name: {(m, d, v): program.variable() for m in self.months
                              for d in self.districts for v in values}
                       for name, values in self.dimensions.items()}
        for name, values in self.dimensions.items():
            for (m, d), total in self.total.items():
                program.add({total: -1, **{self.counts[name][m, d, v]: 1 for v in values}},
                            0, 0)
        self.chosen = {name: {v: program.variable(1) for v in values}
                       for name, values in self.dimensions.items()}
        for choice in self.chosen.values():
            program.add(dict.fromkeys(choice.values(), 1), 1 if person else 0,
                        1 if person else 0)
        # The same number read through several channels is one constraint.
        self.observations = list(dict.fromkeys(observations))
        for observation in self.observations:
            self._observe(observation)
        self._consistency()
        self._solutions: list[np.ndarray] = []

    # -- building ------------------------------------------------------------------------

    def sum_of(self, cell: Cell, world: World = "before") -> dict[int, float]:
        """The cell's count in a world as a linear expression of the unknowns."""
        terms: dict[int, float] = {}
        for m in cell.months:
            for d in cell.districts:
                if (m, d) not in self.total:
                    continue  # a month nobody can have arrived in (outside the universe)
                if cell.dimension is None:
                    terms[self.total[m, d]] = 1
                else:
                    terms[self.counts[cell.dimension][m, d, cell.value]] = 1
        if world == "after" and self.person and cell.covers(self.person.month,
                                                            self.person.district):
            # The person is in the cell: always for a total, when his value is the cell's
            # otherwise. A constant 1 is a variable fixed to 1 (the "chosen" row of a total).
            if cell.dimension is None:
                terms[self._one()] = 1
            else:
                variable = self.chosen[cell.dimension][cell.value]
                terms[variable] = terms.get(variable, 0) + 1
        return terms

    def _one(self) -> int:
        if not hasattr(self, "_constant"):
            self._constant = self.program.variable(1)
            self.program.add({self._constant: 1}, 1, 1)
        return self._constant

    def _observe(self, observation: Observation) -> None:
        allowed = self.method.range_of(observation.value, observation.protected)
        if allowed is None:
            return
        cell = observation.cell
        if observation.protected == "small_population":
            if observation.table_total is None:
                return
            cell = observation.table_total
        self.program.add(self.sum_of(cell, observation.world), *allowed)

    def _consistency(self) -> None:
        """What Cell Key noise gives away: a different value means a different set of facts."""
        shown: dict[tuple[World, Cell], int] = {}
        for observation in self.observations:
            if observation.value is not None and observation.protected is None:
                shown[observation.world, observation.cell] = observation.value
        for (world, cell), value in shown.items():
            if world == "before" and self.person:
                after = shown.get(("after", cell))
                if after is not None and after != value:
                    # The same cell, two values: the person is in it (certain).
                    difference = self.sum_of(cell, "after")
                    for variable in self.sum_of(cell, "before"):
                        difference[variable] -= 1
                    self.program.add({v: c for v, c in difference.items() if c}, 1, 1)
        by_world: dict[World, list[tuple[Cell, int]]] = {}
        for (world, cell), value in shown.items():
            by_world.setdefault(world, []).append((cell, value))
        for world, cells in by_world.items():
            # Only a cell of the same value, or a total, can contain another.
            kinds: dict[tuple[str | None, str | None], list[tuple[Cell, int]]] = {}
            for cell, value in cells:
                kinds.setdefault((cell.dimension, cell.value), []).append((cell, value))
            for inner, inner_value in cells:
                candidates = kinds.get((inner.dimension, inner.value), [])
                if inner.dimension is not None:
                    candidates = candidates + kinds.get((None, None), [])
                for outer, outer_value in candidates:
                    if inner != outer and inner_value != outer_value and inner.within(outer):
                        terms = self.sum_of(outer, world)
                        for variable, coefficient in self.sum_of(inner, world).items():
                            terms[variable] = terms.get(variable, 0) - coefficient
                        self.program.add({v: c for v, c in terms.items() if c}, 1, MOST)

    # -- asking --------------------------------------------------------------------------

    def _feasible(self, extra: Sequence[tuple[Mapping[int, float], float, float]],
                  diverse: Sequence[Mapping[int, float]] = ()) -> bool:
        """Whether the constraints and ``extra`` have a solution (solutions found are kept:
        one that already meets ``extra`` answers without asking the solver again)."""
        for solution in self._solutions:
            if all(low <= sum(solution[v] * c for v, c in terms.items()) <= high
                   for terms, low, high in extra):
                return True
        solution = self.program.solve(extra, diverse)
        if solution is None:
            return False
        self._solutions.append(solution)
        return True

    def consistent(self) -> bool:
        """Whether the true state of the world is possible at all (a sound attacker's model
        always is; a test asserts it so that a wrong constraint cannot hide)."""
        return self._feasible(())

    def possible_values(self, dimension: str) -> list[str]:
        """The person's values of ``dimension`` that the published numbers allow."""
        assert self.person is not None, "the single-snapshot attack has no person"
        return [value for value, variable in self.chosen[dimension].items()
                if self._feasible([({variable: 1}, 1, 1)])]

    def inferred(self) -> dict[str, str]:
        """The person's attributes the attacker knows for certain: dimension → value."""
        assert self.person is not None, "the single-snapshot attack has no person"
        found = {}
        for dimension in self.dimensions:
            possible = self._first_two(
                value for value, variable in self.chosen[dimension].items()
                if self._feasible([({variable: 1}, 1, 1)]))
            assert possible, f"no value of {dimension} is possible: the model is wrong"
            if len(possible) == 1:
                found[dimension] = possible[0]
        return found

    def shared_values(self, months: Iterable[str], district: str
                      ) -> dict[str, str]:
        """Group disclosure: dimension → the value everybody who arrived in ``district`` in
        these months provably shares (only where somebody may have arrived there)."""
        months = frozenset(months)
        population = self.sum_of(Cell(months, frozenset({district})))
        if not population:
            return {}
        # One solve that makes as many values positive as it can answers most of the
        # questions below from the kept solutions.
        solution = self.program.solve([(population, 1, MOST)], [
            self.sum_of(Cell(months, frozenset({district}), dimension, value))
            for dimension, values in self.dimensions.items() for value in values])
        if solution is None:
            return {}  # nobody can have arrived there then
        self._solutions.append(solution)
        shared = {}
        for dimension, values in self.dimensions.items():
            possible = self._first_two(
                value for value in values if not self._published_zero(
                    Cell(months, frozenset({district}), dimension, value)) and self._feasible([
                        (population, 1, MOST),
                        (self.sum_of(Cell(months, frozenset({district}), dimension, value)),
                         1, MOST)]))
            if len(possible) == 1:
                shared[dimension] = possible[0]
        return shared

    @staticmethod
    def _first_two(possible: Iterable[str]) -> list[str]:
        """Two possible values are enough to know that nothing is inferred."""
        found: list[str] = []
        for value in possible:
            found.append(value)
            if len(found) == 2:
                break
        return found

    def _published_zero(self, cell: Cell) -> bool:
        """Whether a number published as an exact 0 covers the cell (a shortcut: the solver
        would say the same, more slowly)."""
        if not hasattr(self, "_zeros"):
            self._zeros = [o.cell for o in self.observations
                           if o.value == 0 and o.protected is None]
        return any(cell.within(zero) for zero in self._zeros)
