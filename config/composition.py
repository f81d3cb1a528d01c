"""Cross-app pages, composed here, at the top, so that no app imports another
app above it. Each list names, for each app, the page or fragment URL it
serves and the rule that shows it; the pages loop over the lists through the
`composition` template library (config/composition_tags.py):

- NAVIGATION: the header's links per role;
- COMPANY_TABS: the company page's tab bar (staff and contact persons);
- COMPANY_OVERVIEW_CARDS: fragments on the staff's company overview;
- MINSIDE_CARDS: fragments on a contact person's Min side;
- TODAY_CARDS: fragments on the staff's start page, "I dag";
- NEEDS_ATTENTION: the selectors of what needs doing, for "I dag"'s first card;
- NEXT_STEPS: the selectors of what a contact person should do next, for Min side.

A new app appears on these pages by adding its rows here and serving the
fragment from its own views (or, for the two lists of selectors, returning
core.attention.Attention items); the page itself does not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from activities import selectors as activity_selectors
from companies import selectors_start as company_start
from companies.models import Company, ContactPerson
from core.attention import Attention
from employees import selectors_start as employee_start
from invoicing import selectors as invoicing
from surveys import selectors_start as survey_start
from tenants.models import Role, User
from tenants.permissions import STAFF
from tickets import selectors_applications as ticket_applications

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
        ("tickets:product_list", _("Products")),
        ("tickets:ticket_type_list", _("Ticket types")),
        ("tickets:ticket_overview", _("Corporate tickets")),
        ("surveys:index", _("Surveys")),
        ("invoicing:index", _("Invoicing")),
        ("effects:calculator", _("Effects")),
        ("pta_users", _("Users")),
        ("pta_look", _("Look")),
    ],
    Role.ADVISER: [
        ("staff_start", _("Today")),
        ("companies:list", _("Companies")),
        ("companies:notices", _("Notices")),
        ("tickets:product_list", _("Products")),
        ("tickets:ticket_type_list", _("Ticket types")),
        ("tickets:ticket_overview", _("Corporate tickets")),
        ("surveys:index", _("Surveys")),
        ("invoicing:index", _("Invoicing")),
        ("effects:calculator", _("Effects")),
    ],
    Role.CONTACT: [("minside_home", _("My page"))],
    Role.COORDINATOR: [
        ("national_dashboard", _("Dashboard")),
        ("national_products", _("Base package")),
        ("national_questionnaires", _("Question set")),
        ("national_factors", _("Emission factors")),
        ("national_effects", _("Effects")),
        ("region_create", _("New PTA")),
    ],
}

COMPANY_TABS = [
    Tab("overview", _("Overview"), "companies:detail", staff),
    Tab("overview", _("Overview"), "minside_home", contact, pk_in_query=True),
    Tab("employees", _("Employees"), "employees:list", either(staff, contact_with("can_edit_employees"))),
    Tab("tickets", _("Corporate tickets"), "tickets:company_tickets", either(staff, contact)),
    Tab("surveys", _("Travel surveys"), "surveys:company_rounds", either(staff, contact)),
    Tab("climate", _("Climate report"), "climate:company", either(staff, contact)),
    Tab("invoices", _("Invoices"), "invoicing:company_invoices", either(staff, contact_with("can_see_invoices"))),
    Tab("activities", _("Activities"), "activities:company", either(staff, contact)),
    Tab("contacts", _("Contact persons"), "companies:contacts", staff),
    Tab("documents", _("Documents and messages"), "companies:documents", either(staff, contact)),
    Tab("history", _("History"), "companies:history", staff),
]

COMPANY_OVERVIEW_CARDS = [
    Card("employees", "employees:counts_card"),
    Card("agreement-products", "tickets:agreement_products_card", staff),
]

MINSIDE_CARDS = [
    Card("next-steps", "minside_next_steps_card"),
    Card("adviser", "companies:adviser_card"),
    Card("employees", "employees:counts_card"),
    Card("tickets", "tickets:company_tickets_card"),
    Card("invoices", "invoicing:company_invoices_card", contact_with("can_see_invoices")),
    Card("surveys", "survey_results:minside_results_card"),
    Card("climate", "climate:minside_card"),
    Card("messages", "companies:messages_card"),
]

TODAY_CARDS = [
    Card("attention", "today_attention_card"),
    Card("my-companies", "companies:today_my_companies_card"),
    Card("trend", "reporting:today_trend_card"),
    Card("targets", "reporting:today_targets_card"),
    Card("companies", "companies:today_figures_card"),
    Card("employees", "employees:today_card"),
    Card("activities", "activities:today_card"),
]

CARDS = {
    "company_overview": COMPANY_OVERVIEW_CARDS,
    "minside": MINSIDE_CARDS,
    "today": TODAY_CARDS,
}

#: What needs attention on the staff's "I dag" (the card config.views.today_attention_card): each app's
#: selectors, called as f(user=..., mine=..., limit=...) -> list[core.attention.Attention]. Each is one
#: query, capped at `limit`. The user is PTA staff, who see every company of the PTA; `mine` narrows the
#: list to the companies they are responsible adviser for, and their own come first either way. A new
#: app (ticket applications waiting, invoices to review, survey rounds closing) adds its selector here.
NEEDS_ATTENTION: list[Callable[..., list[Attention]]] = [
    company_start.company_imports_needing_attention,
    employee_start.employee_imports_needing_attention,
    company_start.unanswered_messages,
    company_start.companies_without_contact_person,
    company_start.agreements_ending,
    ticket_applications.applications_waiting_too_long,
    invoicing.drafts_to_review,
    survey_start.rounds_closing_below_target,
    activity_selectors.activities_not_marked_done,
]

#: What to do next on a contact person's Min side (the card config.views.minside_next_steps_card): each
#: app's selectors, called as f(company=..., contact=..., user=...) -> list[Attention] for the one
#: company the page shows, which the card has checked is the contact person's own.
NEXT_STEPS: list[Callable[..., list[Attention]]] = [
    employee_start.employee_next_steps,
    company_start.company_next_steps,
    ticket_applications.application_next_steps,
    invoicing.overdue_next_steps,
    survey_start.survey_next_steps,
]


def needs_attention(*, user: User, mine: bool, limit: int) -> tuple[list[Attention], bool]:
    """Every app's items for "I dag": the user's own companies first, then by
    severity and age; at most `limit`, and whether there were more."""
    # One more than shown from each, to know whether there are more.
    items = [item for selector in NEEDS_ATTENTION for item in selector(user=user, mine=mine, limit=limit + 1)]
    items.sort(key=lambda item: item.sort_key(user.pk))
    return items[:limit], len(items) > limit


def next_steps(*, company: Company, contact: ContactPerson, user: User) -> list[Attention]:
    """Every app's next steps for a contact person's company, the most urgent first."""
    steps = [step for selector in NEXT_STEPS for step in selector(company=company, contact=contact, user=user)]
    steps.sort(key=lambda step: step.sort_key(None))
    return steps
