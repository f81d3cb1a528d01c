"""The access matrix: every URL pattern of both sites, for every role, with the exact answer.

Each pattern of `config.urls` (a PTA's own host) and `config.urls_public`
(the national site) has a row keyed by its qualified name ("companies:detail";
the route for an unnamed pattern), giving the HTTP method, how to build its
kwargs from the objects below, and the expected answer for each role, in the
order of the role tuple above the matrix. A new pattern without a row fails
`test_every_url_pattern_has_a_row`, which names it: each new app declares
its rows here.

Answers: an int is the status code; `To(path)` is a 302 to exactly that path
(with `{kwarg}` filled from the row's kwargs); `LOGIN` is a 302 to the login
page with `?next=`.

Roles on a PTA host (pta-a unless said), all looking at company A1's objects:

  anonymous      nobody signed in
  contact_own    contact_a1, contact person of company A1
  contact_other  contact_a2, contact person of company A2 (same PTA)
  adviser        adviser_a
  admin          admin_a (PTA administrator)
  other_pta      adviser_b on PTA B's host, with PTA A's ids; the company id is
                 one that does not exist in PTA B's schema (see
                 `Objects.foreign_company`), so the answer does not depend on
                 ids coinciding between schemas
  coordinator    the national coordinator, signed in on PTA A's host: no
                 membership there, so 403 except on the open prefixes
                 (/accounts/, /i18n/, /invitasjon/, /logo, /brand.css)

Roles on the national host: anonymous, the coordinator, and a PTA admin and
a contact person of PTA A signed in there (no membership in the public
tenant: 403 except on the open prefixes).

allauth and i18n patterns (the same on both sites) are in THIRD_PARTY for the
ones that matter, for anonymous and a signed-in user (adviser_a on the PTA
host, the coordinator on the national host), or in EXEMPT with the reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies import services as company_services
from companies.models import (
    Agreement,
    Company,
    CompanyImport,
    ContactPerson,
    Document,
    DocumentKind,
    Message,
    MessageThread,
    Visibility,
)
from employees import services as employee_services
from employees.models import Employee, EmployeeExport, EmployeeImport, ImportStatus
from invoicing import kid, services_payments
from invoicing.models import BillableItem, Invoice, InvoiceRun, Payment, PaymentState, PaymentUpload
from reporting.models import ClimateReport, EmissionFactorOverride, ReportState
from reporting.services_climate import climate_figures as climate_figures_of
from surveys import services as survey_services
from tenants import services as tenant_services
from tenants import services_questionnaires
from tenants.models import Membership, NationalProduct, NationalQuestionnaire, ProductUnit, Pta, RegionCompany, Role
from tenants.signals import SESSION_TENANT_KEY
from tests import factories as invoice_factories
from tests.base import HOST_A, HOST_B, NATIONAL_HOST, World
from tests.employees.helpers import csv_bytes
from tests.factories import (
    AgreementFactory,
    AgreementProductFactory,
    CompanyFactory,
    DepartmentFactory,
    EmployeeFactory,
    LocationFactory,
    ProductFactory,
    TicketTypeFactory,
)
from tests.surveys.helpers import make_round
from tickets import selectors_applications
from tickets.models import (
    AgreementProduct,
    Application,
    EmailVerification,
    Product,
    Ticket,
    TicketState,
    TicketType,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

PTA_URLCONF = "config.urls"
NATIONAL_URLCONF = "config.urls_public"


# --- Answers and rows ----------------------------------------------------------------


@dataclass(frozen=True)
class To:
    """A 302 to `path` ({name} filled from the row's kwargs); with prefix=True the Location only starts with it."""

    path: str
    prefix: bool = False


LOGIN = To("/accounts/login/?next=", prefix=True)


@dataclass(frozen=True)
class Row:
    method: str  # "get" or "post"
    kwargs: Callable[[Objects], dict]
    expect: tuple  # one answer per role, in the order of the site's roles
    data: dict = field(default_factory=dict)  # POST body
    query: Callable[[Objects], str] | None = None  # "?…" appended to the path


# Kwargs builders. They receive the role's objects (for other_pta: a company id unknown to PTA B).


def none(o: Objects) -> dict:
    return {}


def company(o: Objects) -> dict:
    return {"pk": o.company.pk}


def region_b(o: Objects) -> dict:
    return {"pta_pk": o.world.pta_b.pk}


def handover_token(o: Objects) -> dict:
    return {"token": "not-a-token"}


def location(o: Objects) -> dict:
    return {"pk": o.company.pk, "location_pk": o.location.pk}


def activity(o: Objects) -> dict:
    return {"pk": o.activity.pk}


def ical_token(o: Objects) -> dict:
    return {"token": o.ical_token}


def department(o: Objects) -> dict:
    return {"pk": o.company.pk, "department_pk": o.department.pk}


def contact(o: Objects) -> dict:
    return {"pk": o.company.pk, "contact_pk": o.contact.pk}


def document(o: Objects) -> dict:
    return {"pk": o.company.pk, "document_pk": o.document.pk}


def thread(o: Objects) -> dict:
    return {"pk": o.company.pk, "thread_pk": o.thread.pk}


def employees_of(o: Objects) -> dict:
    return {"company_pk": o.company.pk}


def employee(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.employee.pk}


def sample_csv(o: Objects) -> dict:
    return {"fmt": "csv"}


def employee_sample_csv(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "fmt": "csv"}


def export_csv(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "fmt": "csv"}


def finished_export(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.finished_export.pk}


def previewed_import(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.previewed_import.pk}


def finished_import(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.finished_import.pk}


def previewed_company_import(o: Objects) -> dict:
    return {"pk": o.previewed_company_import.pk}


def finished_company_import(o: Objects) -> dict:
    return {"pk": o.finished_company_import.pk}


def membership(o: Objects) -> dict:
    return {"pk": o.membership.pk}


def pta_invitation(o: Objects) -> dict:
    return {"token": o.pta_invitation_token}


def national_invitation(o: Objects) -> dict:
    return {"token": o.national_invitation_token}


def logo(o: Objects) -> dict:
    o.logo  # noqa: B018 - gives PTA A a logo
    return {}


def region(o: Objects) -> dict:
    return {"pk": o.world.pta_a.pk}


def national_company(o: Objects) -> dict:
    """The same organisation number in both PTAs' public footprint rows (tenants.RegionCompany)."""
    for pta in (o.world.pta_a, o.world.pta_b):
        RegionCompany.objects.update_or_create(
            tenant=pta,
            org_number="914778271",
            defaults={"name": "Alfa Energi AS", "status": "member", "refreshed_at": timezone.now()},
        )
    return {"org_number": "914778271"}


def export_format(o: Objects) -> dict:
    return {"fmt": "csv"}


def own_company_query(o: Objects) -> str:
    return f"?company={o.company.pk}"


def product(o: Objects) -> dict:
    return {"pk": o.product.pk}


def ticket_type(o: Objects) -> dict:
    return {"pk": o.ticket_type.pk}


def agreement_products_of(o: Objects) -> dict:
    return {"company_pk": o.company.pk}


def agreement_product(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.agreement_product.pk}


def national_product(o: Objects) -> dict:
    return {"pk": o.national_product.pk}


def pending_ticket(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.pending_ticket.pk}


def running_ticket(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.running_ticket.pk}


def application_key(o: Objects) -> dict:
    return {"key": o.application_key}


def application_form(o: Objects) -> dict:
    return {"key": o.application_key, "token": o.application_token}


def survey_round(o: Objects) -> dict:
    return {"pk": o.survey_round.pk}


def local_question(o: Objects) -> dict:
    return {"key": o.local_question_key}


def national_questionnaire(o: Objects) -> dict:
    return {"pk": NationalQuestionnaire.objects.get(version=1).pk}


def national_draft(o: Objects) -> dict:
    return {"pk": o.national_draft.pk}


def survey_export(o: Objects) -> dict:
    return {"fmt": "csv"}


def company_survey_export(o: Objects) -> dict:
    """A1's results as CSV: A1 has a round (an export of a company without one is 404)."""
    return {"company_pk": o.survey_round.company_id, "fmt": "csv"}


def factor_override(o: Objects) -> dict:
    return {"pk": o.factor_override.pk}


def climate_report(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.climate_report.pk}


def climate_figures(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.climate_report.pk, "fmt": "csv"}


def survey_link(o: Objects) -> dict:
    return {"token": o.survey_token}


def waiting_application(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.waiting_application.pk}


def reported_month_query(o: Objects) -> str:
    return "?month=2026-09"


def run_month(o: Objects) -> dict:
    return {"month": f"{o.invoice_run.month:%Y-%m}"}


def run_pk(o: Objects) -> dict:
    return {"run_pk": o.invoice_run.pk}


def draft_invoice(o: Objects) -> dict:
    return {"pk": o.draft_invoice.pk}


def issued_invoice(o: Objects) -> dict:
    return {"pk": o.issued_invoice.pk}


def billable_item(o: Objects) -> dict:
    return {"company_pk": o.company.pk, "pk": o.billable_item.pk}


def payment_upload(o: Objects) -> dict:
    return {"pk": o.payment_upload.pk}


def unmatched_payment(o: Objects) -> dict:
    return {"pk": o.unmatched_payment.pk}


# --- PTA host ------------------------------------------------------------------------

PTA_ROLES = ("anonymous", "contact_own", "contact_other", "adviser", "admin", "other_pta", "coordinator")

DETAIL = To("/bedrifter/{pk}/")
CONTACTS = To("/bedrifter/{pk}/kontaktpersoner/")
DOCUMENTS = To("/bedrifter/{pk}/dokumenter/")
IMPORT_PROGRESS = To("/bedrifter/{company_pk}/ansatte/import/{pk}/resultat/")
COMPANY_IMPORT_PROGRESS = To("/bedrifter/import/{pk}/resultat/")
AGREEMENT_PRODUCTS = To("/bedrifter/{company_pk}/avtale/produkter/")
TICKETS = To("/bedrifter/{company_pk}/billetter/")
APPLY = To("/soknad/{key}/")
SURVEY = To("/undersokelse/{token}/")
INVOICING = To("/fakturering/")
RUN = To("/fakturering/kjoringer/{month}/")
INVOICE = To("/fakturering/faktura/{pk}/")
COMPANY_INVOICES = To("/bedrifter/{company_pk}/fakturaer/")
PAYMENT_UPLOAD = To("/fakturering/innbetalinger/last-opp/{pk}/")
CONFIRM = {"confirm": "yes"}  # the confirmation page's field (core.forms.confirmed)

# fmt: off
PTA_MATRIX: dict[str, Row] = {
    #                                 method  kwargs            anonymous  contact_own  contact_other  adviser  admin  other_pta  coordinator  # noqa: E501
    "home":                      Row("get",  none,            (To("/accounts/login/"), To("/min-side/"), To("/min-side/"), To("/i-dag/"), To("/i-dag/"), To("/i-dag/"), 403)),  # noqa: E501
    "staff_start":               Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    # The cards config composes from every app: "I dag"'s needs attention (staff), Min side's next steps
    # (the company's own contact persons; another company is 404).
    "today_attention_card":      Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "minside_next_steps_card":   Row("get",  company,         (LOGIN, 200, 404, 403, 403, 403, 403)),
    # One's own name and phone number: anyone with a membership of the PTA (the coordinator has none here).
    "account_contact_details":   Row("get",  none,            (LOGIN, 200, 200, 200, 200, 200, 403)),
    # Company register (staff only; another PTA's company id is 404 in PTA B's schema).
    "companies:list":            Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "companies:create":          Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "companies:import":          Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    # The sample file offered on the upload page.
    "companies:import_sample":   Row("get",  sample_csv,      (LOGIN, 403, 403, 200, 200, 200, 403)),
    # Company imports: staff only; PTA B's schema has no import with PTA A's id (404).
    "companies:import_preview":  Row("get",  previewed_company_import, (LOGIN, 403, 403, 200, 200, 404, 403)),
    # A one-row import without errors runs at once, then shows its result.
    "companies:import_confirm":  Row("post", previewed_company_import, (LOGIN, 403, 403, COMPANY_IMPORT_PROGRESS, COMPANY_IMPORT_PROGRESS, 404, 403)),  # noqa: E501
    "companies:import_progress": Row("get",  finished_company_import, (LOGIN, 403, 403, 200, 200, 404, 403)),
    "companies:detail":          Row("get",  company,         (LOGIN, 403, 403, 200, 200, 404, 403)),
    "companies:edit":            Row("get",  company,         (LOGIN, 403, 403, 200, 200, 404, 403)),
    # An empty form: "choose a valid status" and back to the overview.
    "companies:status":          Row("post", company,         (LOGIN, 403, 403, DETAIL, DETAIL, 404, 403)),
    "companies:agreement":       Row("get",  company,         (LOGIN, 403, 403, 200, 200, 404, 403)),
    "companies:location_add":    Row("post", company,         (LOGIN, 403, 403, DETAIL, DETAIL, 404, 403)),
    # Removals: a GET (or a POST without it) shows the confirmation page; these rows post it.
    "companies:location_remove": Row("post", location,        (LOGIN, 403, 403, DETAIL, DETAIL, 404, 403), data=CONFIRM),  # noqa: E501
    "companies:department_add":  Row("post", company,         (LOGIN, 403, 403, DETAIL, DETAIL, 404, 403)),
    "companies:department_remove": Row("post", department,    (LOGIN, 403, 403, DETAIL, DETAIL, 404, 403), data=CONFIRM),  # noqa: E501
    "companies:contacts":        Row("get",  company,         (LOGIN, 403, 403, 200, 200, 404, 403)),
    "companies:contact_rights":  Row("post", contact,         (LOGIN, 403, 403, CONTACTS, CONTACTS, 404, 403)),
    "companies:contact_remove":  Row("post", contact,         (LOGIN, 403, 403, CONTACTS, CONTACTS, 404, 403), data=CONFIRM),  # noqa: E501
    "companies:history":         Row("get",  company,         (LOGIN, 403, 403, 200, 200, 404, 403)),
    # Documents and messages: the company's own contact persons too; another company is 404.
    "companies:documents":       Row("get",  company,         (LOGIN, 200, 404, 200, 200, 404, 403)),
    # An empty upload form is shown again with its errors.
    "companies:document_upload": Row("post", company,         (LOGIN, 403, 403, 200, 200, 404, 403)),
    "companies:document_download": Row("get", document,       (LOGIN, 200, 404, 200, 200, 404, 403)),
    "companies:document_delete": Row("post", document,        (LOGIN, 403, 403, DOCUMENTS, DOCUMENTS, 404, 403), data=CONFIRM),  # noqa: E501
    "companies:thread_create":   Row("get",  company,         (LOGIN, 200, 404, 200, 200, 404, 403)),
    "companies:thread":          Row("get",  thread,          (LOGIN, 200, 404, 200, 200, 404, 403)),
    "companies:notices":         Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "companies:notice_create":   Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    # Cards (htmx fragments) of the composed pages: Min side / company overview, and the staff's "I dag".
    "companies:messages_card":   Row("get",  company,         (LOGIN, 200, 404, 200, 200, 404, 403)),
    "companies:today_figures_card": Row("get", none,          (LOGIN, 403, 403, 200, 200, 200, 403)),
    "companies:adviser_card":    Row("get",  company,         (LOGIN, 200, 404, 200, 200, 404, 403)),
    "companies:today_my_companies_card": Row("get", none,     (LOGIN, 403, 403, 200, 200, 200, 403)),
    # Employees: staff, and contact persons of the company with can_edit_employees.
    "employees:list":            Row("get",  employees_of,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:create":          Row("get",  employees_of,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:edit":            Row("get",  employee,        (LOGIN, 200, 404, 200, 200, 404, 403)),
    # An empty status form is shown again with its errors.
    "employees:status":          Row("post", employee,        (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:delete":          Row("get",  employee,        (LOGIN, 200, 404, 200, 200, 404, 403)),
    # A1 has few employees: the file itself (a large list redirects to its export's page).
    "employees:export":          Row("post", export_csv,      (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:export_progress": Row("get",  finished_export, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:export_download": Row("get",  finished_export, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:import_upload":   Row("get",  employees_of,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:import_sample":   Row("get",  employee_sample_csv, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:import_mapping":  Row("get",  previewed_import, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:import_preview":  Row("get",  previewed_import, (LOGIN, 200, 404, 200, 200, 404, 403)),
    # A one-row import without errors runs at once, then shows its result.
    "employees:import_confirm":  Row("post", previewed_import, (LOGIN, IMPORT_PROGRESS, 404, IMPORT_PROGRESS, IMPORT_PROGRESS, 404, 403)),  # noqa: E501
    "employees:import_progress": Row("get",  finished_import, (LOGIN, 200, 404, 200, 200, 404, 403)),
    # Cards: the company's counts for its contact persons (with or without the right) and staff; "I dag" for staff.
    "employees:counts_card":     Row("get",  employees_of,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "employees:today_card":      Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "activities:company":        Row("get",  company,         (LOGIN, 200, 404, 200, 200, 404, 403)),
    "activities:create":         Row("get",  company,         (LOGIN, 403, 403, 200, 200, 404, 403)),
    "activities:edit":           Row("get",  activity,        (LOGIN, 403, 403, 200, 200, 404, 403)),
    "activities:done":           Row("post", activity,        (LOGIN, 403, 403, To("/bedrifter/", prefix=True), To("/bedrifter/", prefix=True), 404, 403)),  # noqa: E501
    "activities:cancel":         Row("post", activity,        (LOGIN, 403, 403, To("/bedrifter/", prefix=True), To("/bedrifter/", prefix=True), 404, 403)),  # noqa: E501
    "activities:month":          Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "activities:calendar":       Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "activities:subscribe":      Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "activities:behind":         Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "activities:today_card":     Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "activities:ical":           Row("get",  ical_token,      (200, 200, 200, 200, 200, 404, 200)),
    # Reporting: the trend card of "I dag", staff only.
    "reporting:today_trend_card": Row("get", none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "reporting:today_targets_card": Row("get", none,          (LOGIN, 403, 403, 200, 200, 200, 403)),
    # Min side: contact persons only; choosing another company than one's own is 404.
    "minside_home":              Row("get",  none,            (LOGIN, 200, 404, 403, 403, 403, 403), query=own_company_query),  # noqa: E501
    "pta_users":                 Row("get",  none,            (LOGIN, 403, 403, 403, 200, 403, 403)),
    "membership_remove":         Row("post", membership,      (LOGIN, 403, 403, 403, To("/brukere/"), 403, 403), data=CONFIRM),  # noqa: E501
    # The token is the secret; PTA A's token on PTA B's host is not valid there (410).
    "invitation_accept":         Row("get",  pta_invitation,  (200, 200, 200, 200, 200, 410, 200)),
    "region_switch":             Row("post", region_b,        (LOGIN, To("/min-side/"), To("/min-side/"), 403, 403, 403, 403)),  # noqa: E501
    "handover_accept":           Row("get",  handover_token,  (200, 200, 200, 200, 200, 200, 200)),
    # PTA A has a logo, PTA B none.
    "tenant_logo":               Row("get",  logo,            (200, 200, 200, 200, 200, 404, 200)),
    # The PTA's colour as a stylesheet (no inline style): every page links it, for everyone.
    "brand_css":                 Row("get",  none,            (200, 200, 200, 200, 200, 200, 200)),
    "pta_look":                  Row("get",  none,            (LOGIN, 403, 403, 403, 200, 403, 403)),
    # The catalogue: staff see the lists; PTA admins change products, prices and ticket types (PTA B's
    # adviser is no admin: 403 before any lookup; an admin of PTA B gets 404, tests/tickets/test_catalogue_access.py).
    "tickets:product_list":      Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "tickets:product_create":    Row("get",  none,            (LOGIN, 403, 403, 403, 200, 403, 403)),
    "tickets:base_package_adopt": Row("post", none,           (LOGIN, 403, 403, 403, To("/produkter/"), 403, 403)),
    "tickets:product_edit":      Row("get",  product,         (LOGIN, 403, 403, 403, 200, 403, 403)),
    "tickets:price_add":         Row("get",  product,         (LOGIN, 403, 403, 403, 200, 403, 403)),
    "tickets:ticket_type_list":  Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "tickets:ticket_type_create": Row("get", none,            (LOGIN, 403, 403, 403, 200, 403, 403)),
    "tickets:ticket_type_edit":  Row("get",  ticket_type,     (LOGIN, 403, 403, 403, 200, 403, 403)),
    "tickets:ticket_price_add":  Row("get",  ticket_type,     (LOGIN, 403, 403, 403, 200, 403, 403)),
    # A company's agreement products and subsidy: staff; another PTA's company is 404.
    "tickets:agreement_products": Row("get", agreement_products_of, (LOGIN, 403, 403, 200, 200, 404, 403)),
    "tickets:agreement_terms_copy": Row("get", agreement_products_of, (LOGIN, 403, 403, 200, 200, 404, 403)),
    "tickets:agreement_product_edit": Row("get", agreement_product, (LOGIN, 403, 403, 200, 200, 404, 403)),
    "tickets:agreement_product_remove": Row("post", agreement_product, (LOGIN, 403, 403, AGREEMENT_PRODUCTS, AGREEMENT_PRODUCTS, 404, 403), data=CONFIRM),  # noqa: E501
    "tickets:agreement_products_card": Row("get", agreement_products_of, (LOGIN, 403, 403, 200, 200, 404, 403)),
    # Corporate tickets: the PTA's overview (staff); a company's tab and its Min side card (staff and the
    # company's own contact persons; another company's contact person and another PTA are 404).
    "tickets:ticket_overview":   Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "tickets:company_tickets":   Row("get",  agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "tickets:company_tickets_card": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),
    # The company's payroll report (a file): the same people as its tickets tab.
    "tickets:payroll_report":    Row("get",  agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),
    # Ticket forms on the tab: staff and the company's contact persons with can_approve_tickets (contact_a1
    # has it; without it 403, tests/tickets/test_ticket_forms.py); cancel and end post their confirmation.
    "tickets:ticket_create":     Row("get",  agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "tickets:ticket_cancel":     Row("post", pending_ticket,  (LOGIN, TICKETS, 404, TICKETS, TICKETS, 404, 403), data=CONFIRM),  # noqa: E501
    "tickets:ticket_end":        Row("post", running_ticket,  (LOGIN, TICKETS, 404, TICKETS, TICKETS, 404, 403), data=CONFIRM),  # noqa: E501
    # Recalculating a month stored as reported: staff (A1 has no stored month: back to the tab with why).
    "tickets:payroll_recalculate": Row("post", agreement_products_of, (LOGIN, 403, 403, TICKETS, TICKETS, 404, 403), data=CONFIRM, query=reported_month_query),  # noqa: E501
    # Ticket delivery (tickets.views_fulfilment): staff see it and download; the PTA administrator changes it.
    "fulfilment:settings":       Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "fulfilment:export":         Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "fulfilment:new_key":        Row("get",  none,            (LOGIN, 403, 403, 403, 200, 403, 403)),
    "fulfilment:publish":        Row("post", none,            (LOGIN, 403, 403, 403, To("/billettlevering/"), 403, 403)),  # noqa: E501
    # Ticket applications. The employee's pages need no account (/soknad/ is open to anyone signed in, too);
    # PTA B's host does not know PTA A's link. The receipt without an application of this browser goes
    # back to the start. The company's pages: staff and contact persons with can_approve_tickets (contact_a1
    # has it; without it 403, tests/tickets/test_applications.py); approve, reject and a new link GET their
    # confirmation page. The link and its QR code: any of the company's contact persons.
    "surveys:index":                    Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "surveys:rounds_start_many":        Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "surveys:round_detail":             Row("get",  survey_round,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "surveys:round_progress":           Row("get",  survey_round,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "surveys:questionnaire":            Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    # An empty POST is the form again with its errors (400).
    "surveys:local_question_add":       Row("post", none,            (LOGIN, 403, 403, 400, 400, 400, 403)),
    "surveys:local_question_remove":    Row("get",  local_question,  (LOGIN, 403, 403, 200, 200, 404, 403)),
    "surveys:company_rounds":           Row("get",  employees_of,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "surveys:round_start":              Row("get",  employees_of,    (LOGIN, 403, 403, 200, 200, 404, 403)),
    "survey_results:pta_results":       Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "survey_results:pta_results_export": Row("get", survey_export,   (LOGIN, 403, 403, 200, 200, 200, 403)),
    "survey_results:company_results":   Row("get",  employees_of,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "survey_results:company_results_export": Row("get", company_survey_export, (LOGIN, 200, 404, 200, 200, 404, 403)),  # noqa: E501
    "survey_results:minside_results_card": Row("get", company,         (LOGIN, 200, 404, 200, 200, 404, 403)),
    "climate:company":                  Row("get", employees_of,    (LOGIN, 200, 404, 200, 200, 404, 403)),
    "climate:progress":                 Row("get", climate_report,  (LOGIN, 200, 404, 200, 200, 404, 403)),
    "climate:download":                 Row("get", climate_report,  (LOGIN, 200, 404, 200, 200, 404, 403)),
    "climate:figures":                  Row("get", climate_figures, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "climate:minside_card":             Row("get", company,         (LOGIN, 200, 404, 200, 200, 404, 403)),
    "climate:certification":            Row("get", none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "effects:calculator":               Row("get", none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "emission_factors:index":           Row("get", none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "emission_factors:override_add":    Row("get", none,            (LOGIN, 403, 403, 403, 200, 403, 403)),
    "emission_factors:override_remove": Row("get", factor_override, (LOGIN, 403, 403, 403, 200, 403, 403)),
    "survey_answer:answer":             Row("get", survey_link,      (200, 200, 200, 200, 200, 404, 200)),
    "survey_answer:done":               Row("get", survey_link,      (SURVEY, SURVEY, SURVEY, SURVEY, SURVEY, 404, SURVEY)),  # noqa: E501
    "survey_answer:opt_out":            Row("get", survey_link,      (200, 200, 200, 200, 200, 404, 200)),
    "ticket_applications:start":        Row("get", application_key,  (200, 200, 200, 200, 200, 404, 200)),
    "ticket_applications:link_sent":    Row("get", application_key,  (200, 200, 200, 200, 200, 404, 200)),
    "ticket_applications:apply":        Row("get", application_form, (200, 200, 200, 200, 200, 404, 200)),
    "ticket_applications:receipt":      Row("get", application_key,  (APPLY, APPLY, APPLY, APPLY, APPLY, 404, APPLY)),
    "ticket_applications:company_applications": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),  # noqa: E501
    "ticket_applications:application_approve": Row("get", waiting_application, (LOGIN, 200, 404, 200, 200, 404, 403)),  # noqa: E501
    "ticket_applications:application_reject": Row("get", waiting_application, (LOGIN, 200, 404, 200, 200, 404, 403)),  # noqa: E501
    "ticket_applications:application_link": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "ticket_applications:application_link_renew": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),  # noqa: E501
    "ticket_applications:application_qr_svg": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),  # noqa: E501
    "ticket_applications:application_qr_png": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),  # noqa: E501
    # Invoicing (invoicing.views): the runs, their review and the settings are staff's (settings: the PTA
    # administrator); an invoice, its PDF and EHF also for the company's own contact persons who may see
    # invoices (contact_a1 may; without the right 403, a draft 404: tests/invoicing/test_invoicing_pages.py).
    "invoicing:index":           Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "invoicing:run_start":       Row("post", none,            (LOGIN, 403, 403, INVOICING, INVOICING, INVOICING, 403), data={"month": "ikke en måned"}),  # noqa: E501
    "invoicing:run_detail":      Row("get",  run_month,       (LOGIN, 403, 403, 200, 200, 404, 403)),
    "invoicing:run_issue":       Row("post", run_month,       (LOGIN, 403, 403, RUN, RUN, 404, 403)),
    "invoicing:run_deliver":     Row("post", run_month,       (LOGIN, 403, 403, RUN, RUN, 404, 403)),
    "invoicing:run_accounting":  Row("get",  run_month,       (LOGIN, 403, 403, 200, 200, 404, 403)),
    "invoicing:invoice_detail":  Row("get",  issued_invoice,  (LOGIN, 200, 404, 200, 200, 404, 403)),
    "invoicing:invoice_issue":   Row("post", draft_invoice,   (LOGIN, 403, 403, INVOICE, INVOICE, 404, 403)),
    "invoicing:draft_delete":    Row("get",  draft_invoice,   (LOGIN, 403, 403, 200, 200, 404, 403)),
    "invoicing:invoice_credit":  Row("get",  issued_invoice,  (LOGIN, 403, 403, 200, 200, 404, 403)),
    "invoicing:invoice_pdf":     Row("get",  issued_invoice,  (LOGIN, 200, 404, 200, 200, 404, 403)),
    "invoicing:invoice_ehf":     Row("get",  issued_invoice,  (LOGIN, 200, 404, 200, 200, 404, 403)),
    "invoicing:settings":        Row("get",  none,            (LOGIN, 403, 403, 403, 200, 403, 403)),
    "invoicing:company_invoices": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "invoicing:company_invoices_card": Row("get", agreement_products_of, (LOGIN, 200, 404, 200, 200, 404, 403)),
    "invoicing:billable_add":    Row("get",  agreement_products_of, (LOGIN, 403, 403, 200, 200, 404, 403)),
    "invoicing:billable_remove": Row("post", billable_item,   (LOGIN, 403, 403, COMPANY_INVOICES, COMPANY_INVOICES, 404, 403), data=CONFIRM),  # noqa: E501
    # Payments and overdue invoices (invoicing.views_payments): staff. Confirming an upload imports it and
    # shows its result; assigning with no invoice number is the list again with the error (400).
    # A run's PDFs (made by the worker) and sending an issued invoice: staff.
    "invoicing_delivery:run_pdfs": Row("post", run_pk,        (LOGIN, 403, 403, To("/fakturering/kjoringer/2099-01/"), To("/fakturering/kjoringer/2099-01/"), 404, 403)),  # noqa: E501
    "invoicing_delivery:run_pdf_progress": Row("get", run_pk, (LOGIN, 403, 403, 200, 200, 404, 403)),
    "invoicing_delivery:invoice_send": Row("post", issued_invoice, (LOGIN, 403, 403, INVOICE, INVOICE, 404, 403)),
    "invoicing_payments:index":  Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "invoicing_payments:upload": Row("get",  none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
    "invoicing_payments:upload_preview": Row("get", payment_upload, (LOGIN, 403, 403, 200, 200, 404, 403)),
    "invoicing_payments:upload_confirm": Row("post", payment_upload, (LOGIN, 403, 403, PAYMENT_UPLOAD, PAYMENT_UPLOAD, 404, 403)),  # noqa: E501
    "invoicing_payments:unmatched": Row("get", none,          (LOGIN, 403, 403, 200, 200, 200, 403)),
    "invoicing_payments:assign": Row("post", unmatched_payment, (LOGIN, 403, 403, 400, 400, 404, 403)),
    "invoicing_payments:overdue": Row("get", none,            (LOGIN, 403, 403, 200, 200, 200, 403)),
}

# --- National host -------------------------------------------------------------------

NATIONAL_ROLES = ("anonymous", "coordinator", "pta_admin", "contact")

NATIONAL_MATRIX: dict[str, Row] = {
    #                            method  kwargs               anonymous  coordinator  pta_admin  contact
    "home":                 Row("get",  none,                (To("/accounts/login/"), To("/nasjonalt/"), 403, 403)),
    "national_dashboard":   Row("get",  none,                (LOGIN, 200, 403, 403)),
    "national_refresh":     Row("post", none,                (LOGIN, To("/nasjonalt/"), 403, 403)),
    "national_export":      Row("get",  export_format,       (LOGIN, 200, 403, 403)),
    "national_companies":   Row("get",  none,                (LOGIN, 200, 403, 403)),
    "national_company_detail": Row("get", national_company,  (LOGIN, 200, 403, 403)),
    "region_create":        Row("get",  none,                (LOGIN, 200, 403, 403)),
    "region_detail":        Row("get",  region,              (LOGIN, 200, 403, 403)),
    "region_set_active":    Row("post", region,              (LOGIN, To("/regioner/{pk}/"), 403, 403), data={"active": "1"}),  # noqa: E501
    "invitation_accept":    Row("get",  national_invitation, (200, 200, 200, 200)),
    "brand_css":            Row("get",  none,                (200, 200, 200, 200)),
    # The national base package: the coordinator's.
    "national_products":    Row("get",  none,                (LOGIN, 200, 403, 403)),
    "national_effects":               Row("get", none,                   (LOGIN, 200, 403, 403)),
    "national_factors":               Row("get", none,                   (LOGIN, 200, 403, 403)),
    "national_factors_edit":          Row("get", none,                   (LOGIN, 200, 403, 403)),
    "national_questionnaires":        Row("get", none,                   (LOGIN, 200, 403, 403)),
    "national_questionnaire_create":  Row("get", none,                   (LOGIN, 200, 403, 403)),
    "national_questionnaire_detail":  Row("get", national_questionnaire, (LOGIN, 200, 403, 403)),
    "national_questionnaire_publish": Row("get", national_draft,         (LOGIN, 200, 403, 403)),
    "national_product_create": Row("get", none,              (LOGIN, 200, 403, 403)),
    "national_product_edit": Row("get", national_product,    (LOGIN, 200, 403, 403)),
}

# --- allauth and i18n, on both sites -------------------------------------------------

THIRD_PARTY_ROLES = ("anonymous", "signed_in")
REAUTHENTICATE = To("/accounts/reauthenticate/?next=", prefix=True)

THIRD_PARTY: dict[str, Row] = {
    #                                 method  kwargs  anonymous        signed_in
    "account_login":             Row("get",  none,   (200,             To("/"))),
    "account_logout":            Row("get",  none,   (To("/"),         200)),
    # Open sign-up is off: the "sign-up closed" page (see test_sign_up_is_closed).
    "account_signup":            Row("get",  none,   (200,             To("/"))),
    "account_reset_password":    Row("get",  none,   (200,             200)),
    "account_reset_password_done": Row("get", none,  (200,             200)),
    "account_change_password":   Row("get",  none,   (LOGIN,           200)),
    "account_set_password":      Row("get",  none,   (LOGIN,           To("/accounts/password/change/"))),
    "account_reauthenticate":    Row("get",  none,   (LOGIN,           200)),
    # Shadowed by account_email_refused: users do not manage their own addresses.
    "account_email":             Row("get",  none,   (404,             404)),
    "account_email_refused":     Row("get",  none,   (404,             404)),
    "mfa_index":                 Row("get",  none,   (LOGIN,           200)),
    # Only during a login that waits for its second step.
    "mfa_authenticate":          Row("get",  none,   (To("/accounts/login/"), To("/"))),
    "mfa_reauthenticate":        Row("get",  none,   (LOGIN,           200)),
    # allauth asks for the password again before it looks at existing authenticators.
    "mfa_activate_totp":         Row("get",  none,   (LOGIN,           REAUTHENTICATE)),
    "mfa_deactivate_totp":       Row("get",  none,   (LOGIN,           REAUTHENTICATE)),
    # The signed-in users have no recovery codes yet.
    "mfa_view_recovery_codes":   Row("get",  none,   (LOGIN,           404)),
    "mfa_generate_recovery_codes": Row("get", none,  (LOGIN,           REAUTHENTICATE)),
    "mfa_download_recovery_codes": Row("get", none,  (LOGIN,           404)),
    "set_language":              Row("post", none,   (To("/"),         To("/")), data={"language": "en", "next": "/"}),  # noqa: E501
}
# fmt: on

# Third-party patterns without a row, and why.
EXEMPT: dict[str, str] = {
    "account_inactive": "allauth's static 'account inactive' notice",
    "account_request_reauthentication_code": "login and reauthentication by e-mail code are not enabled",
    "account_confirm_reauthentication_code": "login and reauthentication by e-mail code are not enabled",
    "account_confirm_login_code": "login and reauthentication by e-mail code are not enabled",
    "account_email_verification_sent": "static notice; e-mail verification is off (the invitation verifies)",
    "account_confirm_email": "needs a key from a verification e-mail; verification is off",
    "account_reset_password_from_key": "needs a uid and key from a reset e-mail (allauth's own tests)",
    "account_reset_password_from_key_done": "allauth's static 'password changed' notice",
}

SITES = {
    PTA_URLCONF: (PTA_MATRIX, PTA_ROLES),
    NATIONAL_URLCONF: (NATIONAL_MATRIX, NATIONAL_ROLES),
}


# --- Every pattern has a row ---------------------------------------------------------


def url_patterns(urlconf: str) -> dict[str, str]:
    """Key (qualified name, or the route of an unnamed or repeated name) → full route, through every include."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                key = f"{namespace}{pattern.name}" if pattern.name else route
                found[route if key in found else key] = route

    walk(get_resolver(urlconf).url_patterns, "", "")
    return found


@pytest.mark.parametrize("urlconf", list(SITES))
def test_every_url_pattern_has_a_row(urlconf):
    matrix, _ = SITES[urlconf]
    covered = set(matrix) | set(THIRD_PARTY) | set(EXEMPT)
    missing = {key: route for key, route in url_patterns(urlconf).items() if key not in covered}
    assert not missing, f"URL patterns of {urlconf} without a row in tests/test_access_matrix.py: " + ", ".join(
        f"{key} ({route})" for key, route in sorted(missing.items())
    )


@pytest.mark.parametrize("urlconf", list(SITES))
def test_no_row_for_a_pattern_that_is_gone(urlconf):
    matrix, _ = SITES[urlconf]
    patterns = url_patterns(urlconf)
    stale = sorted(set(matrix) - set(patterns))
    stale += sorted(key for key in {*THIRD_PARTY, *EXEMPT} if key not in patterns)
    assert not stale, f"Rows in tests/test_access_matrix.py for patterns {urlconf} no longer has: {stale}"


def test_every_row_has_one_answer_per_role():
    for matrix, roles in [*SITES.values(), (THIRD_PARTY, THIRD_PARTY_ROLES)]:
        wrong = [key for key, row in matrix.items() if len(row.expect) != len(roles)]
        wrong += [key for key, row in matrix.items() if row.method not in {"get", "post"}]
        assert not wrong, wrong


# --- The objects the rows point at ---------------------------------------------------


class Objects:
    """Company A1 and its objects in PTA A, each built on first use (a test builds only what its row needs)."""

    def __init__(self, world: World):
        self.world = world
        self.company = world.company_a1

    def _in_a(self, build):
        with tenant_context(self.world.pta_a):
            return build()

    @cached_property
    def location(self):
        return self._in_a(lambda: LocationFactory(company=self.company))

    @cached_property
    def ical_token(self) -> str:
        from activities.services import calendar_feed_renew

        return self._in_a(lambda: calendar_feed_renew(user=self.world.adviser_a.user))

    @cached_property
    def activity(self):
        from activities.models import Activity

        return self._in_a(lambda: Activity.objects.create(company=self.company, kind="stand", day=date.today()))

    @cached_property
    def department(self):
        return self._in_a(lambda: DepartmentFactory(company=self.company))

    @cached_property
    def contact(self) -> ContactPerson:
        return self._in_a(lambda: ContactPerson.objects.get(user=self.world.contact_a1.user, company=self.company))

    @cached_property
    def document(self) -> Document:
        """Shared with the company's contact persons."""

        def build():
            name = default_storage.save(f"documents/ptaa/{self.company.pk}/matrise.pdf", ContentFile(PDF))
            return Document.objects.create(
                company=self.company,
                title="Avtale",
                kind=DocumentKind.AGREEMENT,
                visibility=Visibility.CONTACTS,
                file=name,
                original_name="Avtale.pdf",
                content_type="application/pdf",
                size=len(PDF),
                uploaded_by=self.world.adviser_a.user,
            )

        return self._in_a(build)

    @cached_property
    def thread(self) -> MessageThread:
        def build():
            thread = MessageThread.objects.create(company=self.company, subject="Spørsmål om avtalen")
            Message.objects.create(thread=thread, author=self.world.contact_a1.user, body="Hei!")
            return thread

        return self._in_a(build)

    @cached_property
    def employee(self) -> Employee:
        return self._in_a(lambda: Employee.objects.filter(company=self.company).first())

    @cached_property
    def previewed_import(self) -> EmployeeImport:
        content = csv_bytes(
            [["901", "Kari", "Matrise", "kari.matrise@alfa.no"]],
            headers=["Ansattnummer", "Fornavn", "Etternavn", "E-post"],
        )

        def build():
            employee_import = employee_services.employee_import_create(
                company=self.company, content=content, filename="ansatte.csv", user_id=self.world.contact_a1.user.pk
            )
            assert employee_import.status == ImportStatus.PREVIEWED and not employee_import.error_count
            return employee_import

        return self._in_a(build)

    @cached_property
    def finished_import(self) -> EmployeeImport:
        return self._in_a(
            lambda: EmployeeImport.objects.create(
                company=self.company,
                original_name="ansatte.csv",
                status=ImportStatus.DONE,
                total=1,
                processed=1,
                added=1,
                finished_at=timezone.now(),
            )
        )

    @cached_property
    def finished_export(self) -> EmployeeExport:
        def build():
            export = EmployeeExport(company=self.company, format="csv", status="done", total=1, processed=1)
            export.file.save("export", ContentFile(b"Fornavn;Etternavn\r\nKari;Matrise\r\n"))
            return export

        return self._in_a(build)

    @cached_property
    def previewed_company_import(self) -> CompanyImport:
        def build():
            company_import = company_services.company_import_create(
                content=b"orgnr;navn\n986105174;Matrise AS\n", filename="bedrifter.csv", user_id=None
            )
            assert company_import.status == ImportStatus.PREVIEWED and not company_import.error_count
            return company_import

        return self._in_a(build)

    @cached_property
    def finished_company_import(self) -> CompanyImport:
        return self._in_a(
            lambda: CompanyImport.objects.create(
                original_name="bedrifter.csv", status=ImportStatus.DONE, total=1, processed=1, added=1
            )
        )

    @cached_property
    def product(self) -> Product:
        return self._in_a(lambda: ProductFactory(name="Matrisesykkel"))

    @cached_property
    def ticket_type(self) -> TicketType:
        return self._in_a(lambda: TicketTypeFactory(name="Matrisebillett"))

    @cached_property
    def agreement(self) -> Agreement:
        return self._in_a(lambda: AgreementFactory(company=self.company))

    @cached_property
    def agreement_product(self) -> AgreementProduct:
        agreement, product = self.agreement, self.product
        return self._in_a(lambda: AgreementProductFactory(agreement=agreement, product=product))

    @cached_property
    def pending_ticket(self) -> Ticket:
        """A ticket of one of A1's employees that has not started."""
        ticket_type = self.ticket_type
        return self._in_a(
            lambda: Ticket.objects.create(
                employee=EmployeeFactory(company=self.company),
                company=self.company,
                ticket_type=ticket_type,
                starts=date(2099, 1, 1),
            )
        )

    @cached_property
    def running_ticket(self) -> Ticket:
        """An active ticket of one of A1's employees, until further notice."""
        ticket_type = self.ticket_type
        return self._in_a(
            lambda: Ticket.objects.create(
                employee=EmployeeFactory(company=self.company),
                company=self.company,
                ticket_type=ticket_type,
                state=TicketState.ACTIVE,
                starts=date(2026, 1, 1),
            )
        )

    @cached_property
    def application_key(self) -> str:
        return self._in_a(lambda: selectors_applications.application_settings_for(company=self.company).key)

    @cached_property
    def survey_round(self):
        return self._in_a(lambda: make_round(self.company, employees=1)[0])

    @cached_property
    def local_question_key(self) -> str:
        def build():
            survey_services.local_question_add(
                definition={"key": "matrise", "kind": "text", "text_nb": "Noe mer?", "text_en": "Anything else?"},
                by=None,
            )
            return "local_matrise"

        return self._in_a(build)

    @cached_property
    def national_draft(self):
        return services_questionnaires.national_questionnaire_draft_create(
            questions=NationalQuestionnaire.objects.get(version=1).questions, notes="", by=None
        )

    @cached_property
    def factor_override(self):
        return self._in_a(
            lambda: EmissionFactorOverride.objects.create(mode="bus", grams_per_pkm=4, valid_from=2025, source="x")
        )

    @cached_property
    def climate_report(self) -> ClimateReport:
        """A finished report of A1, with its PDF in A1's documents."""

        def build():
            document = Document.objects.create(
                company=self.company,
                title="Klimarapport",
                kind=DocumentKind.REPORT,
                visibility=Visibility.CONTACTS,
                original_name="k.pdf",
                content_type="application/pdf",
                size=len(PDF),
                file=ContentFile(PDF, name="k.pdf"),
            )
            return ClimateReport.objects.create(
                company=self.company,
                year=2026,
                state=ReportState.DONE,
                progress=100,
                figures=climate_figures_of(company=self.company, year=2026),
                document=document,
            )

        return self._in_a(build)

    @cached_property
    def survey_token(self) -> str:
        """An open survey round at A1 with one invitation (tests.surveys.helpers): its link's token."""
        return self._in_a(lambda: make_round(self.company, employees=1)[1][0][1])

    @cached_property
    def application_token(self) -> str:
        """A fresh one-time link of A1 (made directly: the company needs no agreement for the form to show)."""

        def build():
            verification = EmailVerification.objects.create(
                company=self.company,
                email="soker@a.test.no",
                token_hash=f"matrix-{self.company.pk}",
                expires_at=timezone.now() + timedelta(hours=1),
            )
            token = verification.token()
            EmailVerification.objects.filter(pk=verification.pk).update(
                token_hash=hashlib.sha256(token.encode()).hexdigest()
            )
            return token

        return self._in_a(build)

    @cached_property
    def waiting_application(self) -> Application:
        ticket_type = self.ticket_type
        return self._in_a(
            lambda: Application.objects.create(
                company=self.company,
                email="venter@a.test.no",
                first_name="Venter",
                last_name="Søker",
                mobile="+4791234567",
                ticket_type=ticket_type,
                starts=date(2099, 1, 1),
                ordinary_price=900,
                company_price=810,
                employee_share=405,
                terms_accepted_at=timezone.now(),
            )
        )

    @cached_property
    def invoice_run(self) -> InvoiceRun:
        return self._in_a(lambda: InvoiceRun.objects.create(month=date(2099, 1, 1)))

    @cached_property
    def invoiced_agreement(self) -> Agreement:
        """A1's agreement (the one the matrix builds) with an invoice e-mail, so A1 can be invoiced."""
        agreement = self.agreement

        def build():
            agreement.invoice_email = "faktura@alfa.example.no"
            agreement.save()
            return agreement

        return self._in_a(build)

    @cached_property
    def draft_invoice(self) -> Invoice:
        run, _agreement = self.invoice_run, self.invoiced_agreement
        return self._in_a(lambda: invoice_factories.draft_invoice(self.company, run=run, group_key="company"))

    @cached_property
    def issued_invoice(self) -> Invoice:
        _agreement = self.invoiced_agreement
        return self._in_a(lambda: invoice_factories.issued_invoice(self.company))

    @cached_property
    def billable_item(self) -> BillableItem:
        def build():
            product = ProductFactory(name="Matrisetillegg", unit=ProductUnit.PER_EVENT)
            return BillableItem.objects.create(company=self.company, product=product, day=date(2099, 1, 15))

        return self._in_a(build)

    @cached_property
    def payment_upload(self) -> PaymentUpload:
        """A previewed payment file of one payment whose KID matches no invoice."""
        content = f"KID;Beløp;Dato\n{kid.for_number(99_999, length=10, method='mod10')};100,00;01.12.2026\n"
        return self._in_a(
            lambda: services_payments.payment_upload_create(
                content=content.encode(), filename="innbetalinger.csv", user_id=self.world.adviser_a.user.pk
            )
        )

    @cached_property
    def unmatched_payment(self) -> Payment:
        return self._in_a(
            lambda: Payment.objects.create(
                kid="0000999996", amount=100, paid_on=date(2026, 12, 1), state=PaymentState.UNMATCHED
            )
        )

    @cached_property
    def national_product(self) -> NationalProduct:
        return NationalProduct.objects.get(code="corporate_ticket")

    @cached_property
    def membership(self) -> Membership:
        """Another user's membership of PTA A (contact_a2's)."""
        return Membership.objects.get(user=self.world.contact_a2.user, tenant=self.world.pta_a)

    @cached_property
    def pta_invitation_token(self) -> str:
        return tenant_services.invitation_create(
            tenant=self.world.pta_a, email="invitert@a.test.no", role=Role.ADVISER, invited_by=self.world.admin_a.user
        )[1]

    @cached_property
    def national_invitation_token(self) -> str:
        return tenant_services.invitation_create(
            tenant=self.world.national,
            email="ny.koordinator@test.no",
            role=Role.COORDINATOR,
            invited_by=self.world.coordinator.user,
        )[1]

    @cached_property
    def logo(self) -> str:
        name = default_storage.save("logos/matrise.png", ContentFile(PNG))
        Pta.objects.filter(pk=self.world.pta_a.pk).update(logo=name)
        return name

    def foreign(self) -> ForeignObjects:
        return ForeignObjects(self)


class ForeignObjects:
    """For the member of another PTA: PTA A's objects, under a PTA A company whose id PTA B's schema does not have."""

    def __init__(self, objects: Objects):
        self._objects = objects

    def __getattr__(self, name):
        return getattr(self._objects, name)

    @cached_property
    def company(self) -> Company:
        world = self._objects.world
        with tenant_context(world.pta_b):
            highest_b = Company.objects.aggregate(m=Max("pk"))["m"] or 0
        with tenant_context(world.pta_a):
            highest_a = Company.objects.aggregate(m=Max("pk"))["m"] or 0
            # An explicit id above both schemas' (rolled back with the test, so no sequence is disturbed).
            foreign = CompanyFactory(pk=max(highest_a, highest_b) + 1000, name="Fremmed AS")
        with tenant_context(world.pta_b):
            assert not Company.objects.filter(pk=foreign.pk).exists()
        return foreign


# --- The requests --------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def media(tmp_path_factory):
    """Documents, imports and logos written by these tests go to a temporary folder (one for the module:
    a folder per test would cost more than some of the requests)."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("media"))},
        },
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture
def objects(world) -> Objects:
    return Objects(world)


def signed_in(persona, host: str, world: World) -> Client:
    """A client signed in on `host` (its session bound to that host's tenant), 2FA done.

    The session is written directly, as Client.force_login would, but without the
    login signals and the last_login update: a third of the time of a matrix case.
    """
    session = SessionStore()
    session[SESSION_KEY] = str(persona.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = persona.user.get_session_auth_hash()
    session[SESSION_TENANT_KEY] = {
        HOST_A: world.pta_a.schema_name,
        HOST_B: world.pta_b.schema_name,
        NATIONAL_HOST: world.national.schema_name,
    }[host]
    session.save()
    client = Client(HTTP_HOST=host)
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def client_and_objects(site: str, role: str, world: World, objects: Objects):
    if site == PTA_URLCONF:
        personas = {
            "contact_own": world.contact_a1,
            "contact_other": world.contact_a2,
            "adviser": world.adviser_a,
            "admin": world.admin_a,
            "coordinator": world.coordinator,
        }
        if role == "anonymous":
            return Client(HTTP_HOST=HOST_A), objects
        if role == "other_pta":
            return signed_in(world.adviser_b, HOST_B, world), objects.foreign()
        return signed_in(personas[role], HOST_A, world), objects
    personas = {"coordinator": world.coordinator, "pta_admin": world.admin_a, "contact": world.contact_a1}
    if role == "anonymous":
        return Client(HTTP_HOST=NATIONAL_HOST), objects
    return signed_in(personas[role], NATIONAL_HOST, world), objects


def third_party_client(site: str, role: str, world: World) -> Client:
    host = HOST_A if site == PTA_URLCONF else NATIONAL_HOST
    if role == "anonymous":
        return Client(HTTP_HOST=host)
    return signed_in(world.adviser_a if site == PTA_URLCONF else world.coordinator, host, world)


def path_for(urlconf: str, key: str, kwargs: dict) -> str:
    if "/" not in key:
        return reverse(key, urlconf=urlconf, kwargs=kwargs)
    # An unnamed pattern: fill its route's <converter:name> parts.
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), key)


def check(response, expected, row: Row, kwargs: dict, context: str) -> None:
    got = f"{response.status_code} {response.get('Location', '')}".strip()
    if isinstance(expected, To):
        target = expected.path.format(**kwargs)
        location = response.get("Location", "")
        ok = response.status_code == 302 and (location.startswith(target) if expected.prefix else location == target)
        assert ok, f"{context}: expected 302 to {target}, got {got}"
    else:
        assert response.status_code == expected, f"{context}: expected {expected}, got {got}"


def request(client: Client, urlconf: str, key: str, row: Row, objects) -> tuple:
    kwargs = row.kwargs(objects)
    path = path_for(urlconf, key, kwargs) + (row.query(objects) if row.query else "")
    if row.method == "get":
        return client.get(path), kwargs, path
    return client.post(path, row.data), kwargs, path


CASES = [
    pytest.param(site, key, role, id=f"{'national/' if site == NATIONAL_URLCONF else ''}{key}-{role}")
    for site, (matrix, roles) in SITES.items()
    for key in matrix
    for role in roles
]
THIRD_PARTY_CASES = [
    pytest.param(site, key, role, id=f"{'national' if site == NATIONAL_URLCONF else 'pta'}/{key}-{role}")
    for site in SITES
    for key in THIRD_PARTY
    for role in THIRD_PARTY_ROLES
]


@pytest.mark.parametrize(("site", "key", "role"), CASES)
def test_access(world, objects, site, key, role):
    matrix, roles = SITES[site]
    row = matrix[key]
    client, role_objects = client_and_objects(site, role, world, objects)
    response, kwargs, path = request(client, site, key, row, role_objects)
    check(response, row.expect[roles.index(role)], row, kwargs, f"{role} {row.method.upper()} {path}")


@pytest.mark.parametrize(("site", "key", "role"), THIRD_PARTY_CASES)
def test_third_party_access(world, objects, site, key, role):
    row = THIRD_PARTY[key]
    response, kwargs, path = request(third_party_client(site, role, world), site, key, row, objects)
    check(response, row.expect[THIRD_PARTY_ROLES.index(role)], row, kwargs, f"{role} {row.method.upper()} {path}")


def role_with_access(row: Row, roles: tuple) -> str:
    """A role that gets past the row's role checks (so the method check is what answers)."""
    for role in ("admin", "coordinator", "contact_own", "anonymous"):
        if role in roles and row.expect[roles.index(role)] not in (LOGIN, 403, 404, 410):
            return role
    raise AssertionError(f"no role reaches {row}")


@pytest.mark.parametrize(
    ("site", "key"),
    [
        pytest.param(site, key, id=f"{'national/' if site == NATIONAL_URLCONF else ''}{key}")
        for site, (matrix, _) in SITES.items()
        for key in matrix
    ],
)
def test_other_methods_are_405(world, objects, site, key):
    """Every view of ours names the methods it takes (require_GET, require_POST, require_http_methods)."""
    matrix, roles = SITES[site]
    row = matrix[key]
    role = role_with_access(row, roles)
    client, role_objects = client_and_objects(site, role, world, objects)
    path = path_for(site, key, row.kwargs(role_objects))
    assert client.generic("PUT", path).status_code == 405, f"{role} PUT {path}"


# --- Answers that need more than a status code ---------------------------------------


@pytest.mark.parametrize("host", [HOST_A, NATIONAL_HOST])
def test_sign_up_is_closed(world, host):
    response = Client(HTTP_HOST=host).get(reverse("account_signup"))
    assert response.templates[0].name == "account/signup_closed.html"
    assert Client(HTTP_HOST=host).post(reverse("account_signup"), {"email": "ny@test.no"}).status_code == 200
    from tenants.models import User

    assert not User.objects.filter(email="ny@test.no").exists()


def test_a_user_cannot_change_their_login_address(world):
    # With e-mail verification off, an unverified address made primary would become the login
    # and capture a later invitation sent to it (possibly as PTA admin of another region).
    client = signed_in(world.contact_a1, HOST_A, world)
    assert client.post("/accounts/email/", {"email": "ny.admin@b.test.no", "action_add": ""}).status_code == 404
    assert client.post("/accounts/email/", {"email": "ny.admin@b.test.no", "action_primary": ""}).status_code == 404
    world.contact_a1.user.refresh_from_db()
    assert world.contact_a1.user.email == "kontakt1@a.test.no"


def test_new_staff_member_can_still_set_up_totp_after_opening_the_email_page(world):
    # allauth's e-mail page wrote an unverified address row, after which allauth refused to
    # activate TOTP ("verify your address first"); with verification off, that was a lock-out.
    from tests.base import Persona
    from tests.factories import staff_user

    adviser = Persona(user=staff_user(world.pta_a), host=HOST_A, role=Role.ADVISER)
    client = signed_in(adviser, HOST_A, world)
    assert client.get("/i-dag/")["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/email/").status_code == 404
    # Not sent back to the 2FA overview with "verify your e-mail address first": on to the password check.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
