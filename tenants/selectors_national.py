"""The national dashboard's figures, from the public aggregate tables only
(RegionStats, RegionMonth, RegionCompany, Membership): never a tenant schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum

from tenants.models import Membership, Pta, RefreshRequest, RegionCompany, RegionMonth, RegionStats, Role

# The report's national targets for 2027 (DOMAIN.md): regions, member companies, employees covered,
# activities a year, and the car share against each company's own baseline (10 % relative or 5
# percentage points less).
TARGETS_2027 = {"regions": 10, "companies": 3000, "employees": 200_000, "activities": 750}
CAR_SHARE_TARGET = {"relative": 10, "points": 5}


@dataclass(frozen=True)
class Progress:
    label: str
    now: int
    target: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.now / self.target)) if self.target else 0


def _progress(figures: dict, share: Decimal = Decimal(100)) -> list[Progress]:
    def target(key: str) -> int:
        return int((Decimal(TARGETS_2027[key]) * share / 100).to_integral_value())

    return [
        *([Progress("regions", figures["regions"], TARGETS_2027["regions"])] if "regions" in figures else []),
        Progress("companies", figures["member_companies"] or 0, target("companies")),
        Progress("employees", figures["employees"] or 0, target("employees")),
        Progress("activities", figures["activities_done"] or 0, target("activities")),
    ]


@dataclass(frozen=True)
class Usage:
    users: int
    staff: int
    contacts: int
    last_sign_in: datetime | None


def usage_by_region(*, tenant: Pta | None = None) -> dict[int, Usage]:
    """Users per PTA (staff and contact persons) and the latest sign-in of any of them (one query)."""
    memberships = Membership.objects.filter(tenant=tenant) if tenant is not None else Membership.objects.all()
    rows = (
        memberships.values("tenant_id")
        .annotate(
            users=Count("user", distinct=True),
            staff=Count("user", filter=Q(role__in=[Role.PTA_ADMIN, Role.ADVISER]), distinct=True),
            contacts=Count("user", filter=Q(role=Role.CONTACT), distinct=True),
            last_sign_in=Max("user__last_login"),
        )
        .order_by()
    )
    return {row["tenant_id"]: Usage(row["users"], row["staff"], row["contacts"], row["last_sign_in"]) for row in rows}


@dataclass(frozen=True)
class CarShare:
    companies_measured: int
    companies_reduced: int
    baseline: Decimal | None
    followup: Decimal | None

    @property
    def points(self) -> Decimal | None:
        if self.baseline is None or self.followup is None:
            return None
        return self.followup - self.baseline

    @property
    def relative(self) -> Decimal | None:
        if self.points is None or not self.baseline:
            return None
        return (Decimal(100) * self.points / self.baseline).quantize(Decimal("0.1"))


def _weighted(stats: list[RegionStats], field: str) -> Decimal | None:
    measured = [s for s in stats if s.companies_measured and getattr(s, field) is not None]
    weight = sum(s.companies_measured for s in measured)
    if not weight:
        return None
    total = sum(getattr(s, field) * s.companies_measured for s in measured)
    return (total / weight).quantize(Decimal("0.1"))


def car_share(stats: list[RegionStats]) -> CarShare:
    return CarShare(
        companies_measured=sum(s.companies_measured for s in stats),
        companies_reduced=sum(s.companies_reduced for s in stats),
        baseline=_weighted(stats, "car_share_baseline"),
        followup=_weighted(stats, "car_share_followup"),
    )


def national_trend(*, tenant: Pta | None = None) -> list[dict]:
    """The regions' month-end figures summed by month, the last twelve (one query)."""
    months = RegionMonth.objects.filter(tenant__in=Pta.objects.regions().filter(is_active=True))
    if tenant is not None:
        months = months.filter(tenant=tenant)
    return list(
        months.values("month")
        .annotate(
            member_companies=Sum("member_companies"),
            employees=Sum("employees"),
            active_tickets=Sum("active_tickets"),
            activities_done=Sum("activities_done"),
        )
        .order_by("-month")[:12]
    )[::-1]


def refresh_state() -> dict:
    """When the regions' figures were last refreshed (the oldest region's), and a pending request."""
    active = RegionStats.objects.filter(tenant__in=Pta.objects.regions().filter(is_active=True))
    oldest = active.aggregate(oldest=Min("refreshed_at"))["oldest"]
    request = RefreshRequest.objects.order_by("-requested_at").first()
    pending = request is not None and (oldest is None or request.requested_at > oldest)
    return {"refreshed_at": oldest, "requested_at": request.requested_at if pending else None}


def national_dashboard() -> dict:
    """Everything on the national dashboard: KPIs against the targets, a row per region with its
    usage, the trend and the car share. Five queries, whatever the number of regions."""
    stats = list(
        RegionStats.objects.select_related("tenant").filter(tenant__in=Pta.objects.regions()).order_by("tenant__name")
    )
    active = [s for s in stats if s.tenant.is_active]
    totals = {
        "regions": Pta.objects.regions().filter(is_active=True).count(),
        **{
            key: sum(getattr(s, key) for s in active)
            for key in (
                "companies",
                "member_companies",
                "employees",
                "active_tickets",
                "activities_done",
                "activities_planned",
                "members_behind",
            )
        },
    }
    usage = usage_by_region()
    return {
        "stats": stats,
        "rows": [(s, usage.get(s.tenant_id)) for s in stats],
        "totals": totals,
        "progress": _progress(totals),
        "car_share": car_share(active),
        "car_share_target": CAR_SHARE_TARGET,
        "trend": national_trend(),
        **refresh_state(),
    }


def region_figures(*, pta: Pta) -> dict:
    """One region's aggregates against its share of the targets (Pta.target_share)."""
    stats = RegionStats.objects.filter(tenant=pta).first()
    figures = {
        key: getattr(stats, key, 0) for key in ("member_companies", "employees", "active_tickets", "activities_done")
    }
    return {
        "stats": stats,
        "progress": _progress(figures, pta.target_share),
        "car_share": car_share([stats] if stats else []),
        "trend": national_trend(tenant=pta),
        "usage": usage_by_region(tenant=pta).get(pta.pk),
    }


@dataclass(frozen=True)
class NationalCompany:
    org_number: str
    name: str
    regions: int
    employees: int
    active_tickets: int


def national_companies() -> list[NationalCompany]:
    """The organisation numbers in more than one active region (one query)."""
    rows = (
        RegionCompany.objects.filter(tenant__in=Pta.objects.regions().filter(is_active=True))
        .values("org_number")
        .annotate(
            regions=Count("tenant", distinct=True),
            name=Max("name"),
            employees=Sum("employees"),
            active_tickets=Sum("active_tickets"),
        )
        .filter(regions__gte=2)
        .order_by("name", "org_number")
    )
    return [
        NationalCompany(r["org_number"], r["name"], r["regions"], r["employees"] or 0, r["active_tickets"] or 0)
        for r in rows
    ]


def national_company_footprint(*, org_number: str) -> list[RegionCompany]:
    """The company's row in each active region, figures empty where suppressed (one query)."""
    return list(
        RegionCompany.objects.select_related("tenant")
        .filter(org_number=org_number, tenant__in=Pta.objects.regions().filter(is_active=True))
        .order_by("tenant__name")
    )
