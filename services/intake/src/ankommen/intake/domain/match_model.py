"""The match model (Fellegi–Sunter, as record-linkage tools such as Splink use it): how much
each comparison level of :func:`~.matching.compare` says for or against two records being one
person, and from which total intake warns of a duplicate.

For every level the model holds ``m`` (how often two records of one person show it) and ``u``
(how often two different people do), estimated from the labelled training pairs; its weight
is ``log2(m / u)``. A pair's match weight is the prior's log-odds plus the weights of its
levels; the weight is a log2 Bayes factor, so ``2^w / (1 + 2^w)`` is the probability that
the records are one person. The numbers are data (``match_model.json`` beside this module),
written by ``python -m tests.intake.matching.train``; nothing is estimated at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ankommen.intake.domain.matching import COMPARISONS, Comparable, compare

MODEL_PATH = Path(__file__).with_name("match_model.json")


@dataclass(frozen=True)
class MatchModel:
    #: log2 of the prior odds that a labelled pair is a match.
    prior_weight: float
    #: comparison → level → weight (log2 m/u).
    weights: dict[str, dict[str, float]]
    #: From this match weight a candidate is shown to staff as a possible duplicate.
    warn: float
    #: From this match weight no pair of different people was seen in training.
    certain: float

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> MatchModel:
        weights = {comparison: {level: float(entry["weight"])
                                for level, entry in data["comparisons"][comparison].items()}
                   for comparison in COMPARISONS}
        return cls(float(data["prior_weight"]), weights, float(data["thresholds"]["warn"]),
                   float(data["thresholds"]["certain"]))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> MatchModel:
        return cls.from_data(json.loads(path.read_text(encoding="utf-8")))

    def contributions(self, levels: dict[str, str]) -> dict[str, float]:
        """Each comparison's weight for these levels (the explanation of a score)."""
        return {comparison: self.weights[comparison][level]
                for comparison, level in levels.items()}

    def weight_of(self, levels: dict[str, str]) -> float:
        return self.prior_weight + sum(self.contributions(levels).values())

    def weight(self, left: Comparable, right: Comparable) -> float:
        return self.weight_of(compare(left, right))

    def is_possible_duplicate(self, weight: float) -> bool:
        return weight >= self.warn

    def is_certain(self, weight: float) -> bool:
        return weight >= self.certain


#: The highest probability a score from names and dates can have: 1 is kept for an equal
#: person-level file number (certain, see ``service/duplicate_check.py``).
HIGHEST_PROBABILITY = 0.9999


def probability(weight: float) -> float:
    """The match weight (log2 odds) as a probability, rounded for display, below 1."""
    exact = 1.0 / (1.0 + math.pow(2.0, -max(min(weight, 60.0), -60.0)))
    return min(round(exact, 4), HIGHEST_PROBABILITY)


#: The committed model, loaded once at import.
MODEL = MatchModel.load()
