"""Fictitious demo data: three PTAs, their companies and employees, and one
user for every role. Used by `manage.py seed_demo` (demo mode only)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction
from django_tenants.utils import tenant_context
from faker import Faker
from stdnum.no import orgnr

from companies.models import (
    Agreement,
    Company,
    CompanyStatus,
    CompanyStatusChange,
    ContactPerson,
    Department,
    Location,
)
from employees.models import Employee, EmployeeStatus
from reporting.services import region_stats_refresh
from tenants.models import Membership, Pta, Role, User
from tenants.services import pta_create

DEMO_PASSWORD = "Demo-passord-2026"  # noqa: S105  (fictitious demo users only)

PTAS = [
    ("Kolumbus", "kolumbus", "Rogaland", "#00507d", ["Stavanger", "Sandnes", "Sola", "Randaberg"]),
    ("AtB", "atb", "Trøndelag", "#2f3d45", ["Trondheim", "Malvik", "Melhus", "Stjørdal"]),
    ("Skyss", "skyss", "Vestland", "#a3004f", ["Bergen", "Askøy", "Bjørnafjorden", "Øygarden"]),
]
INDUSTRIES = [
    "Offentlig administrasjon",
    "Helse og omsorg",
    "Bygg og anlegg",
    "IT og konsulent",
    "Energi",
    "Handel",
    "Utdanning",
    "Finans og forsikring",
]
COMPANY_STEMS = [
    ("Fjordkraft Service", "AS"),
    ("Havbris Eiendom", "AS"),
    ("Nordlys Helse", "AS"),
    ("Vestvind Data", "AS"),
    ("Solsiden Regnskap", "AS"),
    ("Bryggen Bygg", "AS"),
    ("Kystlinjen Energi", "AS"),
    ("Granitt Rådgivning", "AS"),
    ("Elveløp Logistikk", "AS"),
    ("Fjellsikt Skole", "SA"),
]


@dataclass
class DemoLogin:
    role: str
    email: str
    host: str
    totp_secret: str = ""


def _orgnr(rng: random.Random) -> str:
    """A random organisation number with a valid MOD11 check digit."""
    while True:
        base = str(rng.randint(91_000_000, 99_999_999))
        candidate = next((base + d for d in "0123456789" if orgnr.is_valid(base + d)), None)
        if candidate:
            return candidate


def _mobile(rng: random.Random) -> str:
    """A Norwegian mobile number that phonenumbers accepts, in E.164."""
    while True:
        number = f"+47{rng.choice('49')}{rng.randint(1000000, 9999999)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _mail_domain(company_name: str) -> str:
    first = company_name.split()[0].lower()
    return first.replace("ø", "o").replace("å", "a").replace("æ", "ae") + ".no"


def _user(email: str, first: str, last: str) -> User:
    user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
    return user


def _with_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _seed_companies(*, rng: random.Random, fake: Faker, municipalities: list[str], adviser: User) -> list[Company]:
    companies = []
    for stem, suffix in rng.sample(COMPANY_STEMS, 6):
        municipality = rng.choice(municipalities)
        companies.append(
            Company(
                org_number=_orgnr(rng),
                name=f"{municipality} {stem} {suffix}" if rng.random() < 0.3 else f"{stem} {suffix}",
                postal_address=fake.street_address(),
                postcode=fake.postcode(),
                municipality=municipality,
                industry=rng.choice(INDUSTRIES),
                status=rng.choice([CompanyStatus.MEMBER] * 3 + [CompanyStatus.PROSPECT, CompanyStatus.PAUSED]),
                status_changed_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
                adviser=adviser,
            )
        )
    Company.objects.bulk_create(companies)
    employees = []
    for company in companies:
        locations = [
            Location.objects.create(
                company=company,
                name=name,
                municipality=company.municipality,
                address=fake.street_address(),
                postcode=fake.postcode(),
            )
            for name in rng.sample(["Hovedkontor", "Lager", "Avdelingskontor", "Verksted"], rng.randint(1, 3))
        ]
        departments = [
            Department.objects.create(company=company, name=name)
            for name in rng.sample(["Økonomi", "Salg", "Drift", "IT", "HR", "Produksjon"], rng.randint(2, 4))
        ]
        Agreement.objects.create(
            company=company,
            start_date=company.status_changed_on,
            employer_subsidy_percent=rng.choice([None, 25, 50, 100]),
            invoice_email=f"faktura@{_mail_domain(company.name)}",
        )
        CompanyStatusChange.objects.create(company=company, status=company.status, changed_on=company.status_changed_on)
        domain = _mail_domain(company.name)
        for number in range(1, rng.randint(25, 140)):
            first, last = fake.first_name(), fake.last_name()
            status = rng.choices(
                [EmployeeStatus.ACTIVE, EmployeeStatus.ON_LEAVE, EmployeeStatus.LEFT], weights=[90, 5, 5]
            )[0]
            employees.append(
                Employee(
                    company=company,
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}.{number}@{domain}".lower().replace(" ", ""),
                    mobile=_mobile(rng),
                    employee_number=str(1000 + number),
                    status=status,
                    start_date=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3900)),
                    preferred_language=rng.choices(["nb", "en"], weights=[85, 15])[0],
                    location=rng.choice(locations),
                    department=rng.choice(departments),
                )
            )
    Employee.objects.bulk_create(employees, batch_size=1000)
    return companies


def seed_demo(*, port: str = "8000") -> list[DemoLogin]:
    """Create the demo PTAs, companies, employees and users, all in one transaction."""
    rng = random.Random(2027)
    fake = Faker("no_NO")
    fake.seed_instance(2027)
    national = Pta.objects.national().get()
    with transaction.atomic():
        return _seed(rng=rng, fake=fake, national=national, port=port)


def _seed(*, rng: random.Random, fake: Faker, national: Pta, port: str) -> list[DemoLogin]:
    coordinator = _user("koordinator@demo.no", "Kari", "Koordinator")
    Membership.objects.create(user=coordinator, tenant=national, role=Role.COORDINATOR)
    logins = [DemoLogin(Role.COORDINATOR.label, coordinator.email, f"localhost:{port}", _with_totp(coordinator))]

    for name, slug, county, colour, municipalities in PTAS:
        pta = pta_create(
            name=name,
            slug=slug,
            domain=f"{slug}.localhost",
            org_number=_orgnr(rng),
            county=county,
            contact_email=f"bedrift@{slug}.demo.no",
            brand_colour=colour,
            bank_account="86011117947",
        )
        host = f"{slug}.localhost:{port}"
        with tenant_context(pta):
            admin = _user(f"admin@{slug}.demo.no", "Anne", f"Admin ({name})")
            adviser = _user(f"radgiver@{slug}.demo.no", "Rune", f"Rådgiver ({name})")
            contact = _user(f"kontakt@{slug}.demo.no", "Kristin", f"Kontakt ({name})")
            Membership.objects.create(user=admin, tenant=pta, role=Role.PTA_ADMIN)
            Membership.objects.create(user=adviser, tenant=pta, role=Role.ADVISER)
            Membership.objects.create(user=contact, tenant=pta, role=Role.CONTACT)
            companies = _seed_companies(rng=rng, fake=fake, municipalities=municipalities, adviser=adviser)
            for company in companies[:2]:
                ContactPerson.objects.create(user=contact, company=company)
            region_stats_refresh()
            logins += [
                DemoLogin(Role.PTA_ADMIN.label, admin.email, host, _with_totp(admin)),
                DemoLogin(Role.ADVISER.label, adviser.email, host, _with_totp(adviser)),
                DemoLogin(Role.CONTACT.label, contact.email, host),
            ]
    return logins
