from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.request import split_domain_port

from tenants.models import Domain, Invitation, Membership, Pta, RegionStats, RegionSurveyFigures, User


def region_detail(*, pta: Pta, request: HttpRequest) -> dict:
    """The region page's facts: its domains, its aggregates (RegionStats, never
    a tenant schema) and the address of its own site."""
    domains = list(Domain.objects.filter(tenant=pta).order_by("-is_primary", "domain"))
    return {
        "domains": domains,
        "stats": RegionStats.objects.filter(tenant=pta).first(),
        "site_url": site_url(domain=domains[0].domain, request=request) if domains else "",
    }


def site_url(*, domain: str, request: HttpRequest) -> str:
    """The address of a PTA's site, as reached the way this request reached us:
    the same scheme (https in production, where the proxy says so), and the
    same port when the Host header names one (http://kolumbus.localhost:8000/
    in development); the Host header's port is the one the browser used, which
    a proxy in front of the server may not pass on as the server's own."""
    _host, port = split_domain_port(request.get_host())
    default = {"http": "80", "https": "443"}.get(request.scheme, "")
    suffix = f":{port}" if port and port != default else ""
    return f"{request.scheme}://{domain}{suffix}/"


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def membership_list(*, tenant: Pta) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user").order_by("role", "user__email")


def invitation_pending_list(*, tenant: Pta) -> QuerySet[Invitation]:
    return Invitation.objects.pending().filter(tenant=tenant).order_by("-created_at")


#: The main modes counted as car trips (surveys.models.CAR_DRIVER_MODES and CAR_MODES_WITH_PASSENGERS,
#: named here as codes because this app sits below surveys).
CAR_DRIVER = ("car_driver",)
CAR_WITH_PASSENGERS = ("car_driver", "car_passenger", "carpool")


def _percent(part, whole) -> Decimal | None:
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


@dataclass(frozen=True)
class RegionSurveyRow:
    tenant: Pta
    baseline: RegionSurveyFigures | None
    followup: RegionSurveyFigures | None

    @staticmethod
    def car_share(figures: RegionSurveyFigures | None, modes=CAR_DRIVER) -> Decimal | None:
        if figures is None:
            return None
        trips = sum(Decimal(figures.trips_by_mode.get(mode, "0")) for mode in modes)
        return _percent(trips, figures.trips)

    @staticmethod
    def response_rate(figures: RegionSurveyFigures | None) -> Decimal | None:
        return None if figures is None else _percent(figures.responses, figures.invited)

    @property
    def baseline_rate(self) -> str:
        rate = self.response_rate(self.baseline)
        return f"{rate} %" if rate is not None else ""

    @property
    def followup_rate(self) -> str:
        rate = self.response_rate(self.followup)
        return f"{rate} %" if rate is not None else ""

    @property
    def baseline_car_share(self):
        return self.car_share(self.baseline)

    @property
    def followup_car_share(self):
        return self.car_share(self.followup)

    @property
    def followup_car_share_with_passengers(self):
        return self.car_share(self.followup, CAR_WITH_PASSENGERS)

    @property
    def change_points(self) -> Decimal | None:
        if self.baseline_car_share is None or self.followup_car_share is None:
            return None
        return self.followup_car_share - self.baseline_car_share

    @property
    def change_relative(self) -> Decimal | None:
        if self.change_points is None or not self.baseline_car_share:
            return None
        return (Decimal(100) * self.change_points / self.baseline_car_share).quantize(Decimal("0.1"))


def region_survey_rows() -> list[RegionSurveyRow]:
    """Each region's survey figures (tenants.RegionSurveyFigures; a kind with fewer than
    5 responses has no row there), baseline and follow-up side by side. One query."""
    by_region: dict[int, dict[str, RegionSurveyFigures]] = {}
    regions: dict[int, Pta] = {}
    figures = RegionSurveyFigures.objects.select_related("tenant").filter(tenant__in=Pta.objects.regions())
    for row in figures.order_by("tenant__name"):
        by_region.setdefault(row.tenant_id, {})[row.kind] = row
        regions[row.tenant_id] = row.tenant
    return [
        RegionSurveyRow(tenant=regions[pk], baseline=kinds.get("baseline"), followup=kinds.get("followup"))
        for pk, kinds in by_region.items()
    ]
