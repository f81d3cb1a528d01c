"""The survey results' arithmetic: shares, changes, distance bands and
suppression. Pure functions on Decimal, no ORM; surveys.selectors_results
feeds them the sums PostgreSQL worked out.

Definitions (the results pages' "about the figures" says the same):

- Response rate: responses to the round / every recipient invited to it (all
  invitations, those not sent because the address opted out or bounced too:
  they are employees of the audience). Met when at or above the round's target
  (75 % for a baseline, 60 % for a follow-up; SurveyRound.response_rate_target).
- Trips: commuting days per week. Each day is two one-way trips, which cancels
  out of every share, so the shares are worked out on days.
- Mode share: per main mode, its respondents' commuting days / all commuting
  days, in percent with one decimal.
- Car share (bilandel): commuting days of car drivers / all commuting days;
  "with passengers" adds car passengers and carpools
  (surveys.models.CAR_DRIVER_MODES, CAR_MODES_WITH_PASSENGERS).
- Sustainable share: commuting days by walking, cycling and public transport
  (SUSTAINABLE_MODES) / all commuting days.
- Home-office share: home-office days / (commuting days + home-office days).
- Distance bands: respondents by one-way km, 0–2, 2–5, 5–10, 10–20, 20–50 and
  50 or more; a band holds its lower bound, not its upper (2.0 km is in 2–5).
- Potential: car drivers who answered 4 or 5 to how likely they are to switch
  (of 1–5) / every car driver. Also: respondents who would like to try an
  e-bike or a ticket (the question try_offer) / every respondent.
- Change from baseline to follow-up: follow-up minus baseline car share in
  percentage points, and that difference relative to the baseline share in
  percent.
- Suppression: a group (the PTA, a company, a location, a department) with
  fewer than MIN_RESPONSES responses shows no figures. In a breakdown whose
  total is shown, if exactly one group is hidden the next smallest is hidden
  too (complementary suppression), so the hidden one cannot be worked out as
  the total minus the others.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

#: A group with fewer responses than this shows no figures.
MIN_RESPONSES = 5
#: Willingness to switch (1-5) at or above this counts as potential.
SWITCH_WILLING_FROM = 4

ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)

#: One-way distance bands in km: (lower, upper); a band holds lower <= km < upper (None: no upper).
DISTANCE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 2), (2, 5), (5, 10), (10, 20), (20, 50), (50, None))


def band_label(lower: int, upper: int | None) -> str:
    return f"{lower}–{upper}" if upper is not None else f"{lower}+"


BAND_LABELS = tuple(band_label(lower, upper) for lower, upper in DISTANCE_BANDS)


def distance_band(km: Decimal | float | int) -> int:
    """The index in DISTANCE_BANDS of a one-way distance: distance_band(2) == 1."""
    for index, (lower, upper) in enumerate(DISTANCE_BANDS):
        if km >= lower and (upper is None or km < upper):
            return index
    return 0  # a negative distance does not reach the form; count it with the shortest


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def share(part, whole) -> Decimal | None:
    """`part` of `whole` in percent, one decimal, half up; None without a whole: share(1, 3) == Decimal("33.3")."""
    whole = _decimal(whole)
    if whole <= 0:
        return None
    return (_decimal(part) * HUNDRED / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def point_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """The change in percentage points: point_change(40, 35) == Decimal("-5.0")."""
    if before is None or after is None:
        return None
    return (_decimal(after) - _decimal(before)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def relative_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """The change relative to `before`, in percent: relative_change(40, 35) == Decimal("-12.5"); None from 0."""
    if before is None or after is None or _decimal(before) == 0:
        return None
    before, after = _decimal(before), _decimal(after)
    return ((after - before) * HUNDRED / before).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


#: The report's target for a company's car share against its own baseline (DOMAIN.md): 10 % less,
#: relative, or 5 percentage points less; either one meets it.
CAR_SHARE_TARGET_RELATIVE = Decimal(-10)
CAR_SHARE_TARGET_POINTS = Decimal(-5)


def car_share_target_met(before: Decimal | None, after: Decimal | None) -> bool:
    """car_share_target_met(40, 36) is True (10 % less); (20, 15) too (5 points); (40, 38) is not."""
    points, relative = point_change(before, after), relative_change(before, after)
    return (points is not None and points <= CAR_SHARE_TARGET_POINTS) or (
        relative is not None and relative <= CAR_SHARE_TARGET_RELATIVE
    )


def target_met(rate: Decimal | None, target: int) -> bool:
    return rate is not None and rate >= target


# --- Suppression -------------------------------------------------------------------------------

TOO_FEW = "too_few"  # the group itself has fewer than MIN_RESPONSES responses
COMPLEMENTARY = "complementary"  # hidden so that a group with too few cannot be worked out


def too_few(responses: int) -> bool:
    return responses < MIN_RESPONSES


def suppressed_groups(counts: Mapping[Hashable, int]) -> dict[Hashable, str]:
    """Which groups of a breakdown (group -> responses) to hide, and why.

    Every group with fewer than MIN_RESPONSES is hidden (TOO_FEW). If that is
    exactly one group, the smallest of the others is hidden too
    (COMPLEMENTARY), ties going to the group listed first, so that the total
    minus the groups shown does not give away the hidden one. Two or more
    hidden groups already hide each other. Groups with no responses are not
    groups (they are not listed), but "unknown location" is one like any other.

    >>> suppressed_groups({"a": 3, "b": 7, "c": 6})
    {'a': 'too_few', 'c': 'complementary'}
    """
    hidden: dict[Hashable, str] = {key: TOO_FEW for key, n in counts.items() if too_few(n)}
    if len(hidden) == 1:
        others = [(n, index, key) for index, (key, n) in enumerate(counts.items()) if key not in hidden]
        if others:
            _n, _index, key = min(others)
            hidden[key] = COMPLEMENTARY
    return hidden


# --- Figures of one group -----------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    label: str
    respondents: int
    share: Decimal | None


@dataclass(frozen=True)
class Figures:
    """The figures of one group (a round of a company, a location, a PTA), or
    none if it is suppressed (`hidden` names why). `responses` is always set:
    how many answered says nothing of what they answered."""

    responses: int
    hidden: str = ""  # TOO_FEW, COMPLEMENTARY or ""
    trips: Decimal = Decimal(0)  # commuting days per week, summed
    car_share: Decimal | None = None
    car_share_with_passengers: Decimal | None = None
    sustainable_share: Decimal | None = None
    home_office_share: Decimal | None = None
    car_drivers: int = 0
    willing_to_switch: int = 0
    potential: Decimal | None = None
    try_offer: int = 0
    try_offer_share: Decimal | None = None
    distance_answers: int = 0
    bands: tuple[Band, ...] = field(default_factory=tuple)

    @property
    def suppressed(self) -> bool:
        return bool(self.hidden)

    def hide(self, reason: str) -> Figures:
        return Figures(responses=self.responses, hidden=reason)


def figures(sums: Mapping[str, object], *, hidden: str = "") -> Figures:
    """The figures from one group's sums (surveys.selectors_results.AGGREGATES): hidden when
    the group has too few responses or `hidden` says so."""
    responses = int(sums.get("responses") or 0)
    if too_few(responses):
        return Figures(responses=responses, hidden=TOO_FEW)
    if hidden:
        return Figures(responses=responses, hidden=hidden)
    trips = _decimal(sums.get("trips"))
    home = _decimal(sums.get("home_office_days"))
    drivers = int(sums.get("car_drivers") or 0)
    willing = int(sums.get("willing_to_switch") or 0)
    try_offer = int(sums.get("try_offer") or 0)
    distance_answers = int(sums.get("distance_answers") or 0)
    bands = tuple(
        Band(label=label, respondents=int(sums.get(f"band_{index}") or 0), share=None)
        for index, label in enumerate(BAND_LABELS)
    )
    bands = tuple(Band(b.label, b.respondents, share(b.respondents, distance_answers)) for b in bands)
    return Figures(
        responses=responses,
        trips=trips,
        car_share=share(sums.get("car_trips"), trips),
        car_share_with_passengers=share(sums.get("car_trips_with_passengers"), trips),
        sustainable_share=share(sums.get("sustainable_trips"), trips),
        home_office_share=share(home, trips + home),
        car_drivers=drivers,
        willing_to_switch=willing,
        potential=share(willing, drivers),
        try_offer=try_offer,
        try_offer_share=share(try_offer, responses),
        distance_answers=distance_answers,
        bands=bands,
    )


def breakdown(rows: Mapping[Hashable, Mapping[str, object]]) -> dict[Hashable, Figures]:
    """The figures of each group of a breakdown whose total is shown (group -> its sums), with
    complementary suppression (suppressed_groups) applied; in the order given."""
    hidden = suppressed_groups({key: int(sums.get("responses") or 0) for key, sums in rows.items()})
    return {key: figures(sums, hidden=hidden.get(key, "")) for key, sums in rows.items()}


@dataclass(frozen=True)
class ModeShare:
    mode: str
    label: str
    responses: int
    trips: Decimal
    share: Decimal | None


def mode_shares(rows: list[tuple[str, str, int, object]]) -> list[ModeShare]:
    """(mode, label, responses, commuting days) per mode -> each mode's share of the commuting days."""
    total = sum((_decimal(trips) for _mode, _label, _n, trips in rows), Decimal(0))
    return [ModeShare(mode, label, n, _decimal(trips), share(trips, total)) for mode, label, n, trips in rows]


@dataclass(frozen=True)
class Change:
    """Car share from a baseline to a follow-up (both Figures shown, or no change)."""

    baseline: Figures
    followup: Figures

    @property
    def available(self) -> bool:
        return not self.baseline.suppressed and not self.followup.suppressed

    @property
    def points(self) -> Decimal | None:
        return point_change(self.baseline.car_share, self.followup.car_share) if self.available else None

    @property
    def relative(self) -> Decimal | None:
        return relative_change(self.baseline.car_share, self.followup.car_share) if self.available else None

    @property
    def points_with_passengers(self) -> Decimal | None:
        if not self.available:
            return None
        return point_change(self.baseline.car_share_with_passengers, self.followup.car_share_with_passengers)

    @property
    def relative_with_passengers(self) -> Decimal | None:
        if not self.available:
            return None
        return relative_change(self.baseline.car_share_with_passengers, self.followup.car_share_with_passengers)


def add_sums(rows: list[Mapping[str, object]]) -> dict[str, Decimal]:
    """Several groups' sums added up (the PTA's change over the companies having both rounds)."""
    total: dict[str, Decimal] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
                total[key] = total.get(key, Decimal(0)) + _decimal(value)
    return total
