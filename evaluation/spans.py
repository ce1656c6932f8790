"""Span alignment and precision/recall/F1, shared by the evaluation tasks.

Alignment as in TempEval-3: a system span matches a gold span strictly when
both offsets are equal, relaxed when they overlap; each gold span is matched
at most once (the system span with the largest overlap wins). Attribute scores
(type, value) count the relaxed matches whose attribute is right, over the
system's spans (precision) and the gold spans (recall), so that a wrong value
and a missing expression both cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar


class Span(Protocol):
    start: int
    end: int


S = TypeVar("S", bound=Span)
G = TypeVar("G", bound=Span)


@dataclass
class Counts:
    """True positives over system and gold counts."""

    matched_system: int = 0
    matched_gold: int = 0
    system: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched_system / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.matched_system += other.matched_system
        self.matched_gold += other.matched_gold
        self.system += other.system
        self.gold += other.gold

    def row(self) -> str:
        return f"P {100 * self.precision:5.1f}  R {100 * self.recall:5.1f}  F1 {100 * self.f1:5.1f}"


@dataclass
class Alignment(Generic[S, G]):
    pairs: list[tuple[S, G]] = field(default_factory=list)  # relaxed matches
    missed: list[G] = field(default_factory=list)  # gold spans no system span overlaps
    spurious: list[S] = field(default_factory=list)  # system spans that overlap no gold span


def align(system: Iterable[S], gold: Iterable[G]) -> Alignment[S, G]:
    """One-to-one relaxed matches, the largest overlaps first."""
    system, gold = list(system), list(gold)
    candidates = []
    for i, s in enumerate(system):
        for j, g in enumerate(gold):
            overlap = min(s.end, g.end) - max(s.start, g.start)
            if overlap > 0:
                exact = s.start == g.start and s.end == g.end
                candidates.append((-int(exact), -overlap, i, j))
    used_s: set[int] = set()
    used_g: set[int] = set()
    result: Alignment[S, G] = Alignment()
    for _exact, _overlap, i, j in sorted(candidates):
        if i in used_s or j in used_g:
            continue
        used_s.add(i)
        used_g.add(j)
        result.pairs.append((system[i], gold[j]))
    result.missed = [g for j, g in enumerate(gold) if j not in used_g]
    # A system span that overlaps a gold span already taken is not a match but
    # not a separate expression either: it counts against precision only.
    result.spurious = [s for i, s in enumerate(system) if i not in used_s]
    return result


def strict(s: Span, g: Span) -> bool:
    return s.start == g.start and s.end == g.end
