"""Personas for every role, created once per test session in two PTAs.

The data is committed (not rolled back), so subprocess servers and Celery
workers started by tests can see it. Tests that write committed data clean
up after themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django_tenants.utils import tenant_context

from companies.models import Company, CompanyStatus, ContactPerson
from employees.models import Employee
from invoicing.models import InvoiceSettings
from tenants.models import County, Membership, Pta, Role, User
from tenants.services import national_tenant_ensure, pta_create
from tenants.signals import SESSION_TENANT_KEY

PASSWORD = "Testpassord-2026"  # noqa: S105
NATIONAL_HOST = "localhost"
HOST_A = "pta-a.localhost"
HOST_B = "pta-b.localhost"


@dataclass
class Persona:
    user: User
    host: str
    role: str
    totp_secret: str = ""

    @property
    def email(self) -> str:
        return self.user.email

    def totp_code(self) -> str:
        """The current code; near the end of a 30 s window, wait for the next
        one, so the code is still valid when the form is submitted (allauth
        accepts only the current window)."""
        if time.time() % 30 > 25:
            time.sleep(30 - time.time() % 30 + 0.1)
        return format_hotp_value(hotp_value(self.totp_secret, int(time.time()) // 30))


@dataclass
class World:
    national: Pta
    pta_a: Pta
    pta_b: Pta
    company_a1: Company
    company_a2: Company
    company_b1: Company
    personas: dict[str, Persona] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Persona:
        try:
            return self.__dict__["personas"][name]
        except KeyError:
            raise AttributeError(name) from None


def _persona(email: str, tenant: Pta, role: str, host: str, *, mfa: bool) -> Persona:
    user = User.objects.create_user(email=email, password=PASSWORD, first_name=email.split("@")[0].title())
    Membership.objects.create(user=user, tenant=tenant, role=role)
    secret = ""
    if mfa:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
    return Persona(user=user, host=host, role=role, totp_secret=secret)


def _company(name: str, org_number: str, adviser: User, employees: int) -> Company:
    company = Company.objects.create(
        org_number=org_number, name=name, municipality="Stavanger", status=CompanyStatus.MEMBER, adviser=adviser
    )
    Employee.objects.bulk_create(
        Employee(company=company, first_name=f"Ansatt{i}", last_name=name.split()[0], employee_number=str(i))
        for i in range(employees)
    )
    return company


def build_world() -> World:
    national = national_tenant_ensure(domain=NATIONAL_HOST)
    pta_a = pta_create(
        name="Region A",
        slug="ptaa",
        domain=HOST_A,
        org_number="923609016",
        county=County.ROGALAND,
        brand_colour="#00507d",
        bank_account="86011117947",
    )
    pta_b = pta_create(
        name="Region B",
        slug="ptab",
        domain=HOST_B,
        org_number="974760673",
        county=County.VESTLAND,
        brand_colour="#2f3d45",
        bank_account="15032080119",
    )
    p = {
        "coordinator": _persona("koordinator@test.no", national, Role.COORDINATOR, NATIONAL_HOST, mfa=True),
        "admin_a": _persona("admin@a.test.no", pta_a, Role.PTA_ADMIN, HOST_A, mfa=True),
        "adviser_a": _persona("radgiver@a.test.no", pta_a, Role.ADVISER, HOST_A, mfa=True),
        "adviser_b": _persona("radgiver@b.test.no", pta_b, Role.ADVISER, HOST_B, mfa=True),
        "contact_a1": _persona("kontakt1@a.test.no", pta_a, Role.CONTACT, HOST_A, mfa=False),
        "contact_a2": _persona("kontakt2@a.test.no", pta_a, Role.CONTACT, HOST_A, mfa=False),
        "contact_b1": _persona("kontakt@b.test.no", pta_b, Role.CONTACT, HOST_B, mfa=False),
    }
    for pta, city in ((pta_a, "Stavanger"), (pta_b, "Bergen")):
        with tenant_context(pta):
            InvoiceSettings.objects.filter(singleton=1).update(
                seller_address="Postboks 1", seller_postcode="4001", seller_city=city
            )
    with tenant_context(pta_a):
        company_a1 = _company("Alfa Energi AS", "914778271", p["adviser_a"].user, 12)
        company_a2 = _company("Beta Bygg AS", "983544622", p["adviser_a"].user, 7)
        ContactPerson.objects.create(user=p["contact_a1"].user, company=company_a1)
        ContactPerson.objects.create(user=p["contact_a2"].user, company=company_a2)
    with tenant_context(pta_b):
        company_b1 = _company("Gamma Helse AS", "988077917", p["adviser_b"].user, 5)
        ContactPerson.objects.create(user=p["contact_b1"].user, company=company_b1)
    return World(
        national=national,
        pta_a=pta_a,
        pta_b=pta_b,
        company_a1=company_a1,
        company_a2=company_a2,
        company_b1=company_b1,
        personas=p,
    )


def client_for(persona: Persona | None, host: str | None = None) -> Client:
    """A test client on a host, signed in as the persona (with its 2FA done)."""
    client = Client(HTTP_HOST=host or (persona.host if persona else NATIONAL_HOST))
    if persona is not None:
        client.force_login(persona.user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[SESSION_TENANT_KEY] = _schema_for_host(persona.host)
        session.save()
    return client


def _schema_for_host(host: str) -> str:
    from tenants.models import Domain

    return Domain.objects.select_related("tenant").get(domain=host).tenant.schema_name
