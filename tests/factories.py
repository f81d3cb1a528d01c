"""factory_boy factories, so that a test builds its data in one line.

Creating a PTA (a PostgreSQL schema) is slow, so there is no PtaFactory:
reuse `world.pta_a` and `world.pta_b` from tests.base.

Users and memberships live in the public schema and can be created anywhere.
Company, Location, Department, ContactPerson and Employee rows, and the
tickets app's products, prices, ticket types and agreement products, live in a
PTA's own schema: create them inside `django_tenants.utils.tenant_context`::

    from django_tenants.utils import tenant_context

    with tenant_context(world.pta_a):
        company = CompanyFactory()
        EmployeeFactory.create_batch(3, company=company)

A contact person needs both halves: a CONTACT membership (public schema) and
a ContactPerson row per company (tenant schema). `user_with_role` does both;
call it inside `tenant_context(pta)` when it is given companies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import factory
from django.db import connection
from stdnum.no import orgnr

from companies.models import Agreement, Company, CompanyStatus, ContactPerson, Department, Location
from employees.models import Employee, EmployeeStatus
from tenants.models import Membership, NationalProduct, ProductUnit, Pta, Role, User, VatRate
from tests.base import PASSWORD
from tickets.models import AgreementProduct, Price, Product, TicketPrice, TicketType

# 8-digit bases from here on are far from the org numbers tests.base and the
# older tests type in by hand (914…, 983…, 988…, 986…, 923…, 974…).
_ORGNR_BASE = 81_000_000


def org_number(n: int) -> str:
    """The n-th generated organisation number: valid (MOD11), unique per n.

    Each n owns the ten bases 10n … 10n+9; at most one of ten consecutive bases
    has no valid check digit (it would be 10), so the first one that has one is used.
    """
    for base in range(_ORGNR_BASE + 10 * n, _ORGNR_BASE + 10 * n + 10):
        digits = str(base)
        check = -orgnr.checksum(digits + "0") % 11
        if check < 10:
            number = digits + str(check)
            assert orgnr.is_valid(number), number
            return number
    raise AssertionError(f"no valid organisation number for n={n}")  # pragma: no cover


def _require_tenant_schema(model_name: str) -> None:
    if connection.schema_name == "public":
        raise RuntimeError(f"{model_name} rows live in a PTA's schema: create them inside tenant_context(pta).")


class TenantModelFactory(factory.django.DjangoModelFactory):
    """Refuses to write tenant rows into the public schema (where their tables do not exist)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        _require_tenant_schema(model_class.__name__)
        return super()._create(model_class, *args, **kwargs)


# --- Public schema --------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"bruker{n}@factory.test.no")
    first_name = factory.Sequence(lambda n: f"Fornavn{n}")
    last_name = "Testesen"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    """Pass `tenant=world.pta_a` (or world.national for the coordinator)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.ADVISER


def user_with_role(tenant: Pta, role: str, companies: Iterable[Company] = (), **user_fields) -> User:
    """A new user with one membership of `role` in `tenant`.

    For a contact person, pass the companies they are named for (this writes
    ContactPerson rows: call it inside tenant_context(tenant)). Staff users
    get no TOTP device: on a PTA host the 2FA middleware sends them to set
    one up (use tests.base personas for signed-in staff requests).
    """
    companies = list(companies)
    if companies and role != Role.CONTACT:
        raise ValueError("Only contact persons are named for companies.")
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, tenant=tenant, role=role)
    for company in companies:
        ContactPersonFactory(user=user, company=company)
    return user


def staff_user(tenant: Pta, *, admin: bool = False, **user_fields) -> User:
    return user_with_role(tenant, Role.PTA_ADMIN if admin else Role.ADVISER, **user_fields)


def contact_user(tenant: Pta, companies: Iterable[Company], **user_fields) -> User:
    return user_with_role(tenant, Role.CONTACT, companies, **user_fields)


# --- Tenant schema (inside tenant_context(pta)) -------------------------------


class CompanyFactory(TenantModelFactory):
    class Meta:
        model = Company

    org_number = factory.Sequence(org_number)
    name = factory.Sequence(lambda n: f"Fabrikkert {n} AS")
    postal_address = factory.Sequence(lambda n: f"Storgata {n + 1}")
    postcode = "4006"
    municipality = "Stavanger"
    status = CompanyStatus.MEMBER


class LocationFactory(TenantModelFactory):
    class Meta:
        model = Location

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Lokasjon {n}")
    address = "Kongsgårdbakken 1"
    postcode = "4005"
    municipality = "Stavanger"


class DepartmentFactory(TenantModelFactory):
    class Meta:
        model = Department

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Avdeling {n}")


class ContactPersonFactory(TenantModelFactory):
    """The company side of a contact person; the user needs a CONTACT membership too (see user_with_role)."""

    class Meta:
        model = ContactPerson

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)


class EmployeeFactory(TenantModelFactory):
    class Meta:
        model = Employee

    company = factory.SubFactory(CompanyFactory)
    first_name = factory.Sequence(lambda n: f"Ansatt{n}")
    last_name = "Fabrikkesen"
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@bedrift.test.no")
    mobile = factory.Sequence(lambda n: f"+47{40_000_000 + n}")
    employee_number = factory.Sequence(lambda n: f"F{n}")
    status = EmployeeStatus.ACTIVE


# --- The tickets app's catalogue (tenant schema) ----------------------------------------


class ProductFactory(TenantModelFactory):
    """A local add-on; pass national_product=NationalProduct.objects.get(code=...) for a base product."""

    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Tillegg {n}")
    unit = ProductUnit.PER_EMPLOYEE_MONTH
    vat_rate = VatRate.GENERAL


def corporate_ticket_product() -> Product:
    """The PTA's corporate ticket, adopted from the national base package (call inside tenant_context)."""
    national = NationalProduct.objects.get(code="corporate_ticket")
    product, _created = Product.objects.get_or_create(
        national_product=national,
        defaults={"name": national.name, "unit": national.unit, "vat_rate": national.vat_rate},
    )
    return product


class PriceFactory(TenantModelFactory):
    class Meta:
        model = Price

    product = factory.SubFactory(ProductFactory)
    valid_from = date(2026, 1, 1)
    valid_to = None
    amount = Decimal("250.00")


class TicketTypeFactory(TenantModelFactory):
    class Meta:
        model = TicketType

    name = factory.Sequence(lambda n: f"Billett {n}")
    zones = "Sone 1"


class TicketPriceFactory(TenantModelFactory):
    """P = 10 800 / 12 = 900.00 and C = 810.00 by default (the worked example of tickets/rules.py)."""

    class Meta:
        model = TicketPrice

    ticket_type = factory.SubFactory(TicketTypeFactory)
    valid_from = date(2026, 1, 1)
    valid_to = None
    annual_price = Decimal("10800.00")
    monthly_price = None
    company_price = Decimal("810.00")


class AgreementFactory(TenantModelFactory):
    class Meta:
        model = Agreement

    company = factory.SubFactory(CompanyFactory)
    start_date = date(2026, 1, 1)


class AgreementProductFactory(TenantModelFactory):
    class Meta:
        model = AgreementProduct

    agreement = factory.SubFactory(AgreementFactory)
    product = factory.SubFactory(ProductFactory)


def invoiced_company(**fields) -> Company:
    """A member company with an address and an agreement with an invoice e-mail (ready to invoice)."""
    company = CompanyFactory(
        postal_address=fields.pop("postal_address", "Storgata 1"),
        postcode=fields.pop("postcode", "4006"),
        municipality=fields.pop("municipality", "Stavanger"),
        status=CompanyStatus.MEMBER,
        **fields,
    )
    AgreementFactory(company=company, invoice_email=f"faktura@{company.org_number}.example.no")
    return company


def draft_invoice(company: Company | None = None, lines: Iterable[tuple] | None = None, **fields):
    """A draft invoice of `company` (a new invoiced_company by default), with lines given as
    (description, quantity, unit price excl. VAT, VAT rate); by default 10 tickets at 723.2143
    (12 %) and 25 membership fees at 10.00 (25 %), the worked example of invoicing.rules."""
    from invoicing.billing import LineSpec
    from invoicing.services import draft_create

    company = company or invoiced_company()
    lines = lines or [("Bedriftsbillett", "10", "723.2143", "12.00"), ("Medlemsavgift", "25", "10.00", "25.00")]
    specs = [
        LineSpec(description=d, quantity=Decimal(q), unit_price=Decimal(p), vat_rate=Decimal(v)) for d, q, p, v in lines
    ]
    return draft_create(
        company=company,
        lines=specs,
        period_start=fields.pop("period_start", date(2026, 11, 1)),
        period_end=fields.pop("period_end", date(2026, 11, 30)),
        **fields,
    )


def issued_invoice(company: Company | None = None, lines: Iterable[tuple] | None = None, **fields):
    """draft_invoice, issued (number, KID, dates; today by default)."""
    from invoicing.services import invoice_issue

    today = fields.pop("today", None)
    return invoice_issue(invoice=draft_invoice(company, lines, **fields), today=today)
