from __future__ import annotations

from django.db.models import QuerySet, Sum

from tenants.models import Invitation, Membership, Pta, RegionStats, User

# The report's national targets for 2027.
TARGETS_2027 = {"regions": 10, "companies": 3000, "employees": 200_000}


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
