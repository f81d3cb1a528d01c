"""Fictitious demo data: three PTAs, their companies and employees, and one
user for every role. Used by `manage.py seed_demo` (demo mode only)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

import phonenumbers
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from faker import Faker
from stdnum.no import orgnr

from activities.models import Activity, ActivityKind, ActivityStatus
from companies.models import (
    Agreement,
    Company,
    CompanyStatus,
    CompanyStatusChange,
    ContactPerson,
    Department,
    Location,
)
from core.dates import today
from employees.models import Employee, EmployeeStatus
from reporting.services import monthly_figures_record, region_stats_refresh
from tenants.models import County, Membership, ProductUnit, Pta, Role, User, VatRate
from tenants.services import pta_create
from tickets import rules as ticket_rules
from tickets import selectors as ticket_selectors
from tickets import selectors_applications as application_selectors
from tickets import services as ticket_services
from tickets.models import Application, ApplicationState, Product, TicketType

DEMO_PASSWORD = "Demo-passord-2026"  # noqa: S105  (fictitious demo users only)

PTAS = [
    ("Kolumbus", "kolumbus", County.ROGALAND, "#00507d", ["Stavanger", "Sandnes", "Sola", "Randaberg"]),
    ("AtB", "atb", County.TRONDELAG, "#2f3d45", ["Trondheim", "Malvik", "Melhus", "Stjørdal"]),
    ("Skyss", "skyss", County.VESTLAND, "#a3004f", ["Bergen", "Askøy", "Bjørnafjorden", "Øygarden"]),
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
FINANCE = "Finans og forsikring"  # pays finansskatt på lønn (companies.Company.finance_sector)
# name, unit, VAT rate
LOCAL_ADD_ONS = [
    ("Bysykkel", ProductUnit.PER_EMPLOYEE_MONTH, VatRate.PASSENGER_TRANSPORT),
    ("Bildeling", ProductUnit.PER_EMPLOYEE_MONTH, VatRate.GENERAL),
]
# name, zones, zone count, ordinary annual pass price (fictitious)
DEMO_TICKET_TYPES = [
    ("Én sone", "Sone 1", None, 8400),
    ("To soner", "", 2, 10800),
    ("Hele regionen", "Alle soner", None, 16200),
]
#: A company with employees in every region (name, organisation number).
NATIONAL_COMPANY = ("Landsdekkende Vegdata AS", "998877660")
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


def _user(email: str, first: str, last: str, phone: str = "") -> User:
    return User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, phone=phone)


def _with_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _seed_catalogue(*, rng: random.Random) -> dict:
    """The PTA's products (the base package and two add-ons) and ticket types, priced from
    1 January 2026 (fictitious prices)."""
    start = date(2026, 1, 1)
    ticket_services.base_package_adopt()
    for name, unit, vat_rate in LOCAL_ADD_ONS:
        ticket_services.product_create(data={"name": name, "unit": unit, "vat_rate": vat_rate})
    for product in Product.objects.all():
        if product.unit != ProductUnit.PER_TICKET_MONTH:
            amount = Decimal(rng.choice([150, 250, 400, 2500, 4500, 9000]))
            ticket_services.price_add(product=product, valid_from=start, valid_to=None, amount=amount, today=start)
    for name, zones, zone_count, annual in DEMO_TICKET_TYPES:
        ticket_type = ticket_services.ticket_type_save(data={"name": name, "zones": zones, "zone_count": zone_count})
        ordinary = Decimal(annual) / 12
        ticket_services.ticket_price_add(
            ticket_type=ticket_type,
            valid_from=start,
            valid_to=None,
            annual_price=Decimal(annual),
            company_price=(ordinary * Decimal("0.9")).quantize(Decimal("0.01")),  # a 10 % corporate discount
            today=start,
        )
    return {
        "ticket": ticket_selectors.corporate_ticket_product(),
        "others": list(Product.objects.exclude(unit=ProductUnit.PER_TICKET_MONTH)),
    }


def _seed_agreement_products(*, rng: random.Random, agreement: Agreement, catalogue: dict) -> None:
    """The corporate ticket with a subsidy (a percentage, a fixed amount or none) and two other products."""
    percent, amount = rng.choice(
        [(None, None), (Decimal(25), None), (Decimal(50), None), (Decimal(100), None), (None, Decimal(300))]
    )
    ticket_services.agreement_product_save(
        agreement=agreement, product=catalogue["ticket"], subsidy_percent=percent, subsidy_amount=amount
    )
    for product in rng.sample(catalogue["others"], 2):
        ticket_services.agreement_product_save(
            agreement=agreement, product=product, subsidy_percent=None, subsidy_amount=None
        )


def _seed_companies(
    *, rng: random.Random, fake: Faker, municipalities: list[str], adviser: User, catalogue: dict
) -> list[Company]:
    companies = []
    for stem, suffix in rng.sample(COMPANY_STEMS, 6):
        municipality = rng.choice(municipalities)
        industry = rng.choice(INDUSTRIES)
        companies.append(
            Company(
                org_number=_orgnr(rng),
                name=f"{municipality} {stem} {suffix}" if rng.random() < 0.3 else f"{stem} {suffix}",
                postal_address=fake.street_address(),
                postcode=fake.postcode(),
                municipality=municipality,
                industry=industry,
                finance_sector=industry == FINANCE,
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
        agreement = Agreement.objects.create(
            company=company,
            start_date=company.status_changed_on,
            invoice_email=f"faktura@{_mail_domain(company.name)}",
        )
        _seed_agreement_products(rng=rng, agreement=agreement, catalogue=catalogue)
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


def _seed_tickets(*, rng: random.Random, companies: list[Company]) -> None:
    """Corporate tickets in every state for each company, lived through the past year: created
    pending before their first month, then the roll-over month by month up to this one, with
    joiners, tickets ended, leavers, a leave around this month, a ticket for next month and one
    cancelled."""
    now = ticket_rules.first_of_month(today())
    months = [now]
    while len(months) < 12:
        months.insert(0, ticket_rules.first_of_month(months[0] - timedelta(days=1)))
    ticket_types = list(TicketType.objects.all())
    ending: dict[date, list] = {}
    for company in companies:
        staff = list(company.employees.filter(status=EmployeeStatus.ACTIVE).order_by("pk"))
        with_ticket = rng.sample(staff, len(staff) * 2 // 5)
        for index, employee in enumerate(with_ticket):
            starts = rng.choice(months[:-1])
            if index < 2:  # next month's, still pending (the second is cancelled)
                starts = ticket_rules.next_month(now)
            ticket = ticket_services.ticket_create(
                employee=employee,
                ticket_type=rng.choice(ticket_types),
                starts=starts,
                today=starts - timedelta(days=1),
            )
            if index == 1:
                ticket_services.ticket_cancel(ticket=ticket)
            elif index in (2, 3) and starts < months[-2]:  # ended by the company some months in
                ending.setdefault(rng.choice([m for m in months[:-1] if m >= starts]), []).append(ticket)
            elif index == 4:  # left the company last month
                Employee.objects.filter(pk=employee.pk).update(
                    status=EmployeeStatus.LEFT, end_date=now - timedelta(days=3)
                )
            elif index in (5, 6):  # on leave from last month until after next
                Employee.objects.filter(pk=employee.pk).update(
                    status=EmployeeStatus.ON_LEAVE,
                    leave_from=months[-2],
                    leave_until=ticket_rules.last_day_of_month(ticket_rules.next_month(ticket_rules.next_month(now))),
                )
    for month in months:
        ticket_services.ticket_rollover(month=month)
        for ticket in ending.get(month, []):
            ticket_services.ticket_end(ticket=ticket, today=month)


def _seed_applications(*, rng: random.Random, fake: Faker, companies: list[Company]) -> None:
    """Ticket applications on the first companies that take them: three waiting for the contact
    person (two not on the employee list), one approved automatically and one rejected. Stored as
    they would be after the steps, without the e-mails."""
    now = timezone.now()
    for company in [c for c in companies if not application_selectors.closed_reason(company=c)][:3]:
        application_selectors.application_settings_for(company=company)
        month = ticket_rules.next_month(today())
        offers = application_selectors.offers(company=company, month=month)
        if not offers:
            continue
        domain = _mail_domain(company.name)
        listed = list(company.employees.filter(status=EmployeeStatus.ACTIVE, tickets__isnull=True).order_by("pk")[:2])
        people = [(fake.first_name(), fake.last_name(), None) for _i in range(3)]
        people += [(e.first_name, e.last_name, e) for e in listed]
        for index, (first, last, employee) in enumerate(people):
            offer = rng.choice(offers)
            application = Application.objects.create(
                company=company,
                email=employee.email if employee and employee.email else f"{first.lower()}.{last.lower()}@{domain}",
                first_name=first,
                last_name=last,
                mobile=_mobile(rng),
                ticket_type=offer.ticket_type,
                zones=offer.ticket_type.zones or "1, 2",
                starts=month,
                ordinary_price=ticket_rules.round_ore(offer.ordinary),
                company_price=ticket_rules.round_ore(offer.company_price),
                employee_share=ticket_rules.round_ore(offer.employee_share),
                terms_accepted_at=now - timedelta(days=index + 1),
                employee=employee,
            )
            Application.objects.filter(pk=application.pk).update(created_at=now - timedelta(days=index + 1))
            if index == 2:
                application.state = ApplicationState.REJECTED
                application.reason = "Du er innleid konsulent og har ikke rett på bedriftsbillett hos oss."
                application.decided_at = now
                application.save(update_fields=["state", "reason", "decided_at"])
            elif employee is not None and index == 3:
                ticket = ticket_services.ticket_create(
                    employee=employee, ticket_type=offer.ticket_type, starts=month, zones=application.zones
                )
                application.state = ApplicationState.APPROVED
                application.approved_automatically = True
                application.ticket = ticket
                application.decided_at = now
                application.save(update_fields=["state", "approved_automatically", "ticket", "decided_at"])


def seed_demo(*, port: str = "8000") -> list[DemoLogin]:
    """Create the demo PTAs, companies, employees and users, all in one transaction."""
    rng = random.Random(2027)
    fake = Faker("no_NO")
    fake.seed_instance(2027)
    national = Pta.objects.national().get()
    with transaction.atomic():
        return _seed(rng=rng, fake=fake, national=national, port=port)


def _seed_national_company(*, rng: random.Random, contact: User, catalogue: dict, adviser: User) -> Company:
    """The national company: the same organisation number in every region, one contact person."""
    company = Company.objects.create(
        org_number=NATIONAL_COMPANY[1],
        name=NATIONAL_COMPANY[0],
        status=CompanyStatus.MEMBER,
        status_changed_on=date(2026, 2, 1),
        adviser=adviser,
    )
    agreement = Agreement.objects.create(company=company, start_date=company.status_changed_on)
    _seed_agreement_products(rng=rng, agreement=agreement, catalogue=catalogue)
    CompanyStatusChange.objects.create(company=company, status=company.status, changed_on=company.status_changed_on)
    Employee.objects.bulk_create(
        Employee(
            company=company,
            first_name="Ansatt",
            last_name=f"Nummer {n}",
            employee_number=str(n),
            status=EmployeeStatus.ACTIVE,
        )
        for n in range(1, rng.randint(30, 90))
    )
    ContactPerson.objects.create(user=contact, company=company)
    return company


def _seed_activities(*, rng: random.Random, companies: list[Company], adviser: User) -> None:
    """A year of activities: done ones behind us, planned ones ahead, some companies behind."""
    day = today()
    kinds = list(ActivityKind)
    rows = []
    for company in companies:
        for _ in range(rng.randint(0, 5)):
            when = date(day.year, 1, 1) + timedelta(days=rng.randint(0, 364))
            done = when < day
            rows.append(
                Activity(
                    company=company,
                    kind=rng.choice(kinds),
                    day=when,
                    starts_at=time(rng.choice([9, 10, 11, 12, 13]), 0),
                    ends_at=time(14, 30),
                    adviser=adviser,
                    status=ActivityStatus.DONE if done else ActivityStatus.PLANNED,
                    participants=rng.randint(8, 60) if done else None,
                    cost=Decimal(rng.choice([0, 1500, 2500, 4000])),
                    place=rng.choice(["Kantina", "Resepsjonen", "Parkeringsplassen", "Møterom 1"]),
                    done_at=timezone.now() if done else None,
                )
            )
    Activity.objects.bulk_create(rows)


def _seed(*, rng: random.Random, fake: Faker, national: Pta, port: str) -> list[DemoLogin]:
    coordinator = _user("koordinator@demo.no", "Kari", "Koordinator")
    Membership.objects.create(user=coordinator, tenant=national, role=Role.COORDINATOR)
    logins = [DemoLogin(Role.COORDINATOR.label, coordinator.email, f"localhost:{port}", _with_totp(coordinator))]
    national_contact = _user("kontakt@nasjonal.demo.no", "Nils", "Nasjonal")

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
            adviser = _user(f"radgiver@{slug}.demo.no", "Rune", f"Rådgiver ({name})", phone=_mobile(rng))
            contact = _user(f"kontakt@{slug}.demo.no", "Kristin", f"Kontakt ({name})")
            Membership.objects.create(user=admin, tenant=pta, role=Role.PTA_ADMIN)
            Membership.objects.create(user=adviser, tenant=pta, role=Role.ADVISER)
            Membership.objects.create(user=contact, tenant=pta, role=Role.CONTACT)
            catalogue = _seed_catalogue(rng=rng)
            companies = _seed_companies(
                rng=rng, fake=fake, municipalities=municipalities, adviser=adviser, catalogue=catalogue
            )
            _seed_tickets(rng=rng, companies=companies)
            _seed_applications(rng=rng, fake=fake, companies=companies)
            for company in companies[:2]:
                ContactPerson.objects.create(user=contact, company=company)
            Membership.objects.create(user=national_contact, tenant=pta, role=Role.CONTACT)
            companies.append(
                _seed_national_company(rng=rng, contact=national_contact, catalogue=catalogue, adviser=adviser)
            )
            _seed_activities(rng=rng, companies=companies, adviser=adviser)
            monthly_figures_record()  # this month, and the past year reconstructed from the seeded dates
            region_stats_refresh()
            logins += [
                DemoLogin(Role.PTA_ADMIN.label, admin.email, host, _with_totp(admin)),
                DemoLogin(Role.ADVISER.label, adviser.email, host, _with_totp(adviser)),
                DemoLogin(Role.CONTACT.label, contact.email, host),
            ]
    logins.append(DemoLogin("Contact person, every region", national_contact.email, f"kolumbus.localhost:{port}"))
    return logins
