"""The PTA's certification of a company (e.g. bronze, silver, gold): pure rules, no ORM.

Rules:
- A level is reached when every one of its thresholds is met by the company's measured
  figures: the response rate of its latest covered round (percent), the car share's fall
  from the baseline to the follow-up (percentage points of commuting days by car as
  driver), and the share of commuting days on sustainable modes in the latest covered
  round (walking, cycling, public transport; surveys.rules' definition).
- A threshold is met at or above its value. A figure that cannot be measured (no
  covered round; no follow-up for the reduction) meets only a threshold of 0 or less.
- The achieved level is the highest-ranked level reached; the next level is the lowest-
  ranked level above it, with each threshold it still misses and how far off it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

RESPONSE_RATE = "response_rate"
CAR_SHARE_REDUCTION = "car_share_reduction"
SUSTAINABLE_SHARE = "sustainable_share"
METRICS = (RESPONSE_RATE, CAR_SHARE_REDUCTION, SUSTAINABLE_SHARE)


@dataclass(frozen=True)
class Level:
    name: str
    rank: int
    min_response_rate: Decimal
    min_car_share_reduction: Decimal
    min_sustainable_share: Decimal

    def threshold(self, metric: str) -> Decimal:
        return {
            RESPONSE_RATE: self.min_response_rate,
            CAR_SHARE_REDUCTION: self.min_car_share_reduction,
            SUSTAINABLE_SHARE: self.min_sustainable_share,
        }[metric]


@dataclass(frozen=True)
class Measured:
    """The company's figures; None where not measured."""

    response_rate: Decimal | None = None
    car_share_reduction: Decimal | None = None
    sustainable_share: Decimal | None = None

    def value(self, metric: str) -> Decimal | None:
        return getattr(self, metric)


@dataclass(frozen=True)
class Gap:
    metric: str
    needed: Decimal
    current: Decimal | None  # None: not measured yet

    @property
    def missing(self) -> Decimal | None:
        """How far off (percent or points), None when not measured."""
        return None if self.current is None else self.needed - self.current


@dataclass(frozen=True)
class Result:
    achieved: Level | None
    next: Level | None
    gaps: tuple[Gap, ...] = ()  # what the next level still needs


def meets(value: Decimal | None, threshold: Decimal) -> bool:
    if value is None:
        return threshold <= 0
    return value >= threshold


def gaps_for(level: Level, measured: Measured) -> tuple[Gap, ...]:
    return tuple(
        Gap(metric, level.threshold(metric), measured.value(metric))
        for metric in METRICS
        if not meets(measured.value(metric), level.threshold(metric))
    )


def certify(levels: Iterable[Level], measured: Measured) -> Result:
    """The achieved level and what the next one needs: certify([bronze, silver], Measured(...))."""
    ordered = sorted(levels, key=lambda level: level.rank)
    reached = [level for level in ordered if not gaps_for(level, measured)]
    achieved = reached[-1] if reached else None
    above = [level for level in ordered if achieved is None or level.rank > achieved.rank]
    following = above[0] if above else None
    return Result(achieved, following, gaps_for(following, measured) if following else ())


#: The defaults a PTA starts with (reporting.services_climate.certification_levels); the names are
#: the PTA's data, in bokmål, and the PTA may rename them.
DEFAULT_LEVELS = (
    Level("Bronse", 1, Decimal(50), Decimal(0), Decimal(30)),
    Level("Sølv", 2, Decimal(60), Decimal(5), Decimal(40)),
    Level("Gull", 3, Decimal(75), Decimal(10), Decimal(50)),
)
