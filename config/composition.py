"""Cross-app pages, composed here, at the top, so that no app imports another
app above it. Each list names, for each app, the page or fragment URL it
serves and the rule that shows it; the pages loop over the lists through the
`composition` template library (config/composition_tags.py):

- NAVIGATION: the header's links per role;
- COMPANY_TABS: the company page's tab bar (staff and contact persons);
- COMPANY_OVERVIEW_CARDS: fragments on the staff's company overview;
- MINSIDE_CARDS: fragments on a contact person's Min side;
- TODAY_CARDS: fragments on the staff's start page, "I dag".

A new app appears on these pages by adding its rows here and serving the
fragment from its own views; the page itself does not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.models import Role
from tenants.permissions import STAFF

#: A rule sees the request (with its membership, and the contact person for
#: company pages) and the company the page is about, if any.
Rule = Callable[..., bool]


def always(request, company=None) -> bool:
    return True


def staff(request, company=None) -> bool:
    return request.membership is not None and request.membership.role in STAFF


def contact(request, company=None) -> bool:
    return request.membership is not None and request.membership.role == Role.CONTACT


def contact_with(right: str) -> Rule:
    """A contact person holding `right` (e.g. "can_edit_employees") for this company."""

    def rule(request, company=None) -> bool:
        return contact(request) and bool(getattr(getattr(request, "contact_person", None), right, False))

    return rule


def either(*rules: Rule) -> Rule:
    return lambda request, company=None: any(rule(request, company) for rule in rules)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    url_name: str  # reversed with the company's pk
    show: Rule
    pk_in_query: bool = False  # ?company=<pk> instead of a path argument


@dataclass(frozen=True)
class Card:
    key: str
    url_name: str  # reversed with the company's pk on company pages, without arguments elsewhere
    show: Rule = always


NAVIGATION = {
    Role.PTA_ADMIN: [
        ("staff_start", _("Today")),
        ("companies:list", _("Companies")),
        ("companies:notices", _("Notices")),
        ("pta_users", _("Users")),
        ("pta_look", _("Look")),
    ],
    Role.ADVISER: [
        ("staff_start", _("Today")),
        ("companies:list", _("Companies")),
        ("companies:notices", _("Notices")),
    ],
    Role.CONTACT: [("minside_home", _("My page"))],
    Role.COORDINATOR: [("national_dashboard", _("Dashboard")), ("region_create", _("New PTA"))],
}

COMPANY_TABS = [
    Tab("overview", _("Overview"), "companies:detail", staff),
    Tab("overview", _("Overview"), "minside_home", contact, pk_in_query=True),
    Tab("employees", _("Employees"), "employees:list", either(staff, contact_with("can_edit_employees"))),
    Tab("contacts", _("Contact persons"), "companies:contacts", staff),
    Tab("documents", _("Documents and messages"), "companies:documents", either(staff, contact)),
    Tab("history", _("History"), "companies:history", staff),
]

COMPANY_OVERVIEW_CARDS = [
    Card("employees", "employees:counts_card"),
]

MINSIDE_CARDS = [
    Card("employees", "employees:counts_card"),
    Card("messages", "companies:messages_card"),
]

TODAY_CARDS = [
    Card("companies", "companies:today_figures_card"),
    Card("employees", "employees:today_card"),
    Card("messages", "companies:today_messages_card"),
    Card("imports", "employees:today_imports_card"),
    Card("my-companies", "companies:today_my_companies_card"),
]

CARDS = {
    "company_overview": COMPANY_OVERVIEW_CARDS,
    "minside": MINSIDE_CARDS,
    "today": TODAY_CARDS,
}
