from __future__ import annotations

from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.http.request import split_domain_port

from tenants.models import Domain, Invitation, Membership, Pta, RegionStats, User

# The report's national targets for 2027.
TARGETS_2027 = {"regions": 10, "companies": 3000, "employees": 200_000}


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


def national_overview() -> dict:
    """Aggregates only: the national site never reads a tenant schema."""
    stats = list(
        RegionStats.objects.select_related("tenant").filter(tenant__in=Pta.objects.regions()).order_by("tenant__name")
    )
    totals = RegionStats.objects.filter(tenant__in=Pta.objects.regions()).aggregate(
        companies=Sum("companies"), employees=Sum("employees"), member_companies=Sum("member_companies")
    )
    regions = Pta.objects.regions().filter(is_active=True).count()
    progress = [
        {"label": "regions", "now": regions, "target": TARGETS_2027["regions"]},
        {"label": "companies", "now": totals["companies"] or 0, "target": TARGETS_2027["companies"]},
        {"label": "employees", "now": totals["employees"] or 0, "target": TARGETS_2027["employees"]},
    ]
    for row in progress:
        row["percent"] = min(100, round(100 * row["now"] / row["target"])) if row["target"] else 0
    return {"stats": stats, "totals": totals, "progress": progress}
