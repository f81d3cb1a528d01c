"""The survey results, aggregated in PostgreSQL (GROUP BY with filtered SUM
and COUNT) and turned into figures by surveys.rules, which holds the
definitions and the suppression rules.

A company's dashboard is a handful of queries whatever its size: its rounds,
the sums of each round, the sums per location of the rounds it shows, per
department, per mode, and (for PTA staff) the free text. A PTA's dashboard is
three: the latest round of each kind of every company, the sums per round of
those, and the sums per mode and kind. Nothing loops over responses in Python;
the Python that remains adds up at most one row per round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from companies.models import Company
from surveys import rules
from surveys.models import (
    CAR_DRIVER_MODES,
    CAR_MODES_WITH_PASSENGERS,
    RESPONSE_RATE_TARGET,
    SUSTAINABLE_MODES,
    Answer,
    Invitation,
    Mode,
    Response,
    RoundKind,
    SurveyRound,
)

#: The free text shown on a page at most (sorted, so the order says nothing of when they were written).
COMMENTS_MAX = 200
#: The key of the free-text question and of the "would you try" question (tenants.question_sets).
COMMENT_KEY = "comment"
TRY_OFFER_KEY = "try_offer"
#: The ?location= value of responses with no location.
NO_LOCATION = "none"


def _aggregates() -> dict:
    """The sums of a group of responses, as surveys.rules.figures reads them."""
    days = "commute_days"
    drivers = Q(main_mode__in=CAR_DRIVER_MODES)
    tried = Answer.objects.filter(response=OuterRef("pk"), question__key=TRY_OFFER_KEY).exclude(choices=[])
    sums = {
        "responses": Count("pk"),
        "trips": Sum(days),
        "car_trips": Sum(days, filter=drivers),
        "car_trips_with_passengers": Sum(days, filter=Q(main_mode__in=CAR_MODES_WITH_PASSENGERS)),
        "sustainable_trips": Sum(days, filter=Q(main_mode__in=SUSTAINABLE_MODES)),
        "home_office_days": Sum("home_office_days"),
        "car_drivers": Count("pk", filter=drivers),
        "willing_to_switch": Count("pk", filter=drivers & Q(switch_likelihood__gte=rules.SWITCH_WILLING_FROM)),
        "try_offer": Count("pk", filter=Q(Exists(tried))),
        "distance_answers": Count("pk", filter=Q(distance_km__isnull=False)),
    }
    for index, (lower, upper) in enumerate(rules.DISTANCE_BANDS):
        band = Q(distance_km__gte=lower) & (Q(distance_km__lt=upper) if upper is not None else Q())
        sums[f"band_{index}"] = Count("pk", filter=band)
    return sums


def response_sums(responses: QuerySet[Response], *, by: Iterable[str] = ()) -> list[dict]:
    """The sums of the responses, one row per value of the `by` columns (one query)."""
    by = list(by)
    if not by:
        return [responses.aggregate(**_aggregates())]
    return list(responses.order_by().values(*by).annotate(**_aggregates()).order_by(*by))


def mode_sums(responses: QuerySet[Response], *, by: Iterable[str] = ()) -> list[dict]:
    """Responses and commuting days per main mode (and the `by` columns), one query."""
    columns = [*by, "main_mode"]
    return list(
        responses.order_by()
        .values(*columns)
        .annotate(responses=Count("pk"), trips=Coalesce(Sum("commute_days"), Decimal(0)))
        .order_by(*columns)
    )


def mode_shares(rows: Iterable[dict]) -> list[rules.ModeShare]:
    """The mode rows (mode_sums) in the question's order, with their shares of the commuting days."""
    by_mode = {row["main_mode"]: row for row in rows}
    labels = [(mode.value, mode.label) for mode in Mode] + [("", _("Not answered"))]
    return rules.mode_shares(
        [
            (code, str(label), by_mode[code]["responses"], by_mode[code]["trips"])
            for code, label in labels
            if code in by_mode
        ]
    )


def _invited() -> Coalesce:
    invitations = (
        Invitation.objects.filter(round=OuterRef("pk")).order_by().values("round").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(invitations, output_field=IntegerField()), Value(0))


def company_rounds(*, company: Company) -> list[SurveyRound]:
    """The company's rounds, newest first, each with `invited` (every invitation, one query)."""
    return list(company.survey_rounds.annotate(invited=_invited()).order_by("-opens_on", "-pk"))


def comments(responses: QuerySet[Response], *, limit: int = COMMENTS_MAX) -> tuple[list[str], int]:
    """The free-text comments of the responses, sorted (not in the order they came), at most `limit`,
    and how many there are. Only for PTA staff, and only for a group that is shown (the caller checks)."""
    answers = Answer.objects.filter(response__in=responses.order_by().values("pk"), question__key=COMMENT_KEY)
    texts = list(answers.exclude(text="").order_by("text").values_list("text", flat=True)[: limit + 1])
    return texts[:limit], len(texts)


# --- Response rate --------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRate:
    responses: int
    invited: int
    target: int

    @property
    def rate(self) -> Decimal | None:
        return rules.share(self.responses, self.invited)

    @property
    def met(self) -> bool:
        return rules.target_met(self.rate, self.target)

    @property
    def progress(self) -> int:
        """The rate for a <progress> bar, 0-100."""
        return min(int(self.rate or 0), 100)


# --- A company's dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One row of a breakdown: a location, a department or a company."""

    key: object
    name: str
    figures: rules.Figures
    rate: ResponseRate | None = None
    change: rules.Change | None = None
    pk: int | None = None


@dataclass
class CompanyDashboard:
    company: Company
    rounds: list[SurveyRound]
    round: SurveyRound | None
    rate: ResponseRate | None = None
    figures: rules.Figures | None = None
    modes: list[rules.ModeShare] = field(default_factory=list)
    locations: list[Group] = field(default_factory=list)
    departments: list[Group] = field(default_factory=list)
    baseline: SurveyRound | None = None
    followup: SurveyRound | None = None
    change: rules.Change | None = None
    location: object = None  # the location filter: a pk, NO_LOCATION, or None for all
    location_name: str = ""
    comments: list[str] | None = None  # None: not for this reader (or the group is hidden)
    comments_total: int = 0


def comparison_rounds(rounds: list[SurveyRound], *, day: date) -> tuple[SurveyRound | None, SurveyRound | None]:
    """The company's latest baseline that has opened, and its latest follow-up opened after it."""
    opened = sorted((r for r in rounds if r.opens_on <= day), key=lambda r: (r.opens_on, r.pk))
    baselines = [r for r in opened if r.kind == RoundKind.BASELINE]
    if not baselines:
        return None, None
    baseline = baselines[-1]
    followups = [
        r for r in opened if r.kind == RoundKind.FOLLOWUP and (r.opens_on, r.pk) > (baseline.opens_on, baseline.pk)
    ]
    return baseline, (followups[-1] if followups else None)


def default_round(rounds: list[SurveyRound], *, day: date) -> SurveyRound | None:
    """The round a dashboard shows first: the newest that has opened, else the newest."""
    opened = [r for r in rounds if r.opens_on <= day]
    return (opened or rounds or [None])[0]


def _location_key(location_id: int | None) -> object:
    return location_id if location_id is not None else NO_LOCATION


def company_dashboard(
    *,
    company: Company,
    round_: SurveyRound | None,
    rounds: list[SurveyRound],
    day: date,
    location: object = None,
    with_comments: bool = False,
) -> CompanyDashboard:
    """The figures of a company's round (all of them, or one location's: a pk or NO_LOCATION), its
    locations and departments (complementary suppression in each), its modes, and the change in car
    share from its latest baseline to the follow-up after it. `rounds` is company_rounds(company).
    A location hidden in the breakdown (too few, or to protect another) is hidden when chosen too.
    Free text only `with_comments` (PTA staff) and only for a group that is shown."""
    board = CompanyDashboard(company=company, rounds=rounds, round=round_, location=location)
    if round_ is None:
        return board
    board.baseline, board.followup = comparison_rounds(rounds, day=day)
    shown_rounds = {round_.pk} | {r.pk for r in (board.baseline, board.followup) if r is not None}

    responses = Response.objects.filter(company=company)
    per_round = {row["round_id"]: row for row in response_sums(responses, by=["round_id"])}
    per_location: dict[int, dict[object, dict]] = {pk: {} for pk in shown_rounds}
    names: dict[object, str] = {NO_LOCATION: _("Unknown location")}
    for row in response_sums(
        responses.filter(round_id__in=shown_rounds), by=["round_id", "location_id", "location__name"]
    ):
        key = _location_key(row["location_id"])
        if row["location_id"] is not None:
            names[key] = row["location__name"]
        per_location[row["round_id"]][key] = row
    # Unknown location last, the others by name.
    ordered = sorted(per_location[round_.pk], key=lambda key: (key == NO_LOCATION, names.get(key, "")))
    location_figures = rules.breakdown({key: per_location[round_.pk][key] for key in ordered})
    board.locations = [Group(key=key, name=names[key], figures=location_figures[key]) for key in ordered]
    if location is not None and location not in location_figures:
        location = board.location = None  # a location with no responses to this round: all of them

    round_responses = responses.filter(round=round_)
    invited = getattr(round_, "invited", None)
    if invited is None:
        invited = round_.invitations.count()

    def round_figures(pk: int) -> rules.Figures:
        if location is None:
            return rules.figures(per_round.get(pk, {}))
        by_location = per_location.get(pk, {})
        if location not in by_location:
            return rules.figures({})
        return rules.breakdown(by_location)[location]

    if location is None:
        board.rate = ResponseRate(
            responses=per_round.get(round_.pk, {}).get("responses", 0),
            invited=invited,
            target=round_.response_rate_target,
        )
        board.figures = round_figures(round_.pk)
    else:
        board.location_name = names.get(location, "")
        board.figures = location_figures.get(location) or rules.figures({})
        round_responses = (
            round_responses.filter(location__isnull=True)
            if location == NO_LOCATION
            else round_responses.filter(location_id=location)
        )
    if board.baseline is not None and board.followup is not None:
        board.change = rules.Change(
            baseline=round_figures(board.baseline.pk), followup=round_figures(board.followup.pk)
        )

    if not board.figures.suppressed:
        board.modes = mode_shares(mode_sums(round_responses))
        departments = {}
        department_names = {}
        for row in response_sums(round_responses, by=["department_id", "department__name"]):
            departments[row["department_id"]] = row
            department_names[row["department_id"]] = row["department__name"] or _("Unknown department")
        ordered_departments = sorted(departments, key=lambda key: (key is None, department_names[key]))
        department_figures = rules.breakdown({key: departments[key] for key in ordered_departments})
        board.departments = [
            Group(key=key, name=department_names[key], figures=department_figures[key]) for key in ordered_departments
        ]
        if with_comments:
            board.comments, board.comments_total = comments(round_responses)
    return board


# --- A PTA's dashboard --------------------------------------------------------------------------


@dataclass
class KindFigures:
    """The PTA's figures over the latest round of one kind of every company."""

    kind: str
    rounds: int
    rate: ResponseRate
    figures: rules.Figures
    modes: list[rules.ModeShare]
    companies: list[Group]


@dataclass
class PtaDashboard:
    kind: str
    shown: KindFigures
    baseline: KindFigures
    followup: KindFigures
    change: rules.Change
    companies_compared: int


def latest_rounds(*, day: date) -> list[SurveyRound]:
    """The latest round of each kind of every company that has opened by `day`, with its company and
    `invited` (one query: DISTINCT ON company and kind)."""
    return list(
        SurveyRound.objects.filter(opens_on__lte=day)
        .select_related("company")
        .annotate(invited=_invited())
        .order_by("company_id", "kind", "-opens_on", "-pk")
        .distinct("company_id", "kind")
    )


def pta_dashboard(*, day: date, kind: str = RoundKind.BASELINE) -> PtaDashboard:
    """The PTA's figures per kind of round, over the latest round of that kind of each company
    (companies with complementary suppression), and the change in car share over the companies
    whose latest follow-up came after their latest baseline, both with enough responses. Three
    queries."""
    rounds = latest_rounds(day=day)
    responses = Response.objects.filter(round_id__in=[r.pk for r in rounds])
    sums = {row["round_id"]: row for row in response_sums(responses, by=["round_id"])}
    modes: dict[str, list[dict]] = {RoundKind.BASELINE: [], RoundKind.FOLLOWUP: []}
    for row in mode_sums(responses, by=["round__kind"]):
        modes.setdefault(row["round__kind"], []).append(row)

    def of_kind(kind_: str) -> KindFigures:
        mine = sorted((r for r in rounds if r.kind == kind_), key=lambda r: (r.company.name, r.pk))
        rows = [sums.get(r.pk, {"responses": 0}) for r in mine]
        total = rules.add_sums(rows)
        company_figures = rules.breakdown({r.pk: sums.get(r.pk, {"responses": 0}) for r in mine})
        target = RESPONSE_RATE_TARGET[kind_]
        figures_ = rules.figures(total)
        return KindFigures(
            kind=kind_,
            rounds=len(mine),
            rate=ResponseRate(
                responses=int(total.get("responses", 0)), invited=sum(r.invited for r in mine), target=target
            ),
            figures=figures_,
            modes=mode_shares(modes.get(kind_, [])) if not figures_.suppressed else [],
            companies=[
                Group(
                    key=r.pk,
                    pk=r.company_id,
                    name=r.company.name,
                    figures=company_figures[r.pk],
                    rate=ResponseRate(responses=company_figures[r.pk].responses, invited=r.invited, target=target),
                )
                for r in mine
            ],
        )

    baseline, followup = of_kind(RoundKind.BASELINE), of_kind(RoundKind.FOLLOWUP)
    # The change over the companies having both, in order, each round with enough responses.
    by_company: dict[int, dict[str, SurveyRound]] = {}
    for r in rounds:
        by_company.setdefault(r.company_id, {})[r.kind] = r
    pairs = [
        (both[RoundKind.BASELINE], both[RoundKind.FOLLOWUP])
        for both in by_company.values()
        if len(both) == 2
        and (both[RoundKind.FOLLOWUP].opens_on, both[RoundKind.FOLLOWUP].pk)
        > (both[RoundKind.BASELINE].opens_on, both[RoundKind.BASELINE].pk)
        and not rules.too_few(sums.get(both[RoundKind.BASELINE].pk, {}).get("responses", 0))
        and not rules.too_few(sums.get(both[RoundKind.FOLLOWUP].pk, {}).get("responses", 0))
    ]
    change = rules.Change(
        baseline=rules.figures(rules.add_sums([sums[b.pk] for b, _f in pairs])),
        followup=rules.figures(rules.add_sums([sums[f.pk] for _b, f in pairs])),
    )
    # Each company's own change, on its follow-up row (none when either side is hidden).
    baseline_of = {g.pk: g.figures for g in baseline.companies}
    compared = {f.pk for _b, f in pairs}
    followup.companies = [
        replace(g, change=rules.Change(baseline=baseline_of[g.pk], followup=g.figures)) if g.key in compared else g
        for g in followup.companies
    ]
    return PtaDashboard(
        kind=kind,
        shown=followup if kind == RoundKind.FOLLOWUP else baseline,
        baseline=baseline,
        followup=followup,
        change=change,
        companies_compared=len(pairs),
    )


# --- Min side's card ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSummary:
    round: SurveyRound
    rate: ResponseRate
    figures: rules.Figures


def latest_round_summary(*, company: Company, day: date) -> RoundSummary | None:
    """The company's latest round that has opened: its response rate and figures (two queries)."""
    round_ = (
        company.survey_rounds.filter(opens_on__lte=day)
        .annotate(invited=_invited())
        .order_by("-opens_on", "-pk")
        .first()
    )
    if round_ is None:
        return None
    sums = response_sums(Response.objects.filter(round=round_))[0]
    return RoundSummary(
        round=round_,
        rate=ResponseRate(responses=sums["responses"], invited=round_.invited, target=round_.response_rate_target),
        figures=rules.figures(sums),
    )
