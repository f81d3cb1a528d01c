"""The demo data (reporting/demo.py) gives every demo company corporate tickets in every state."""

from __future__ import annotations

import random

from django_tenants.utils import tenant_context
from faker import Faker

from reporting import demo
from tests.factories import AgreementFactory, AgreementProductFactory, CompanyFactory, EmployeeFactory
from tickets.models import Application, Ticket, TicketState


def test_the_demo_companies_have_tickets_in_every_state(world):
    rng = random.Random(2027)
    with tenant_context(world.pta_a):
        demo._seed_catalogue(rng=rng)
        companies = CompanyFactory.create_batch(2)
        for company in companies:
            EmployeeFactory.create_batch(30, company=company)
        demo._seed_tickets(rng=rng, companies=companies)
        for company in companies:
            states = set(Ticket.objects.filter(company=company).values_list("state", flat=True))
            assert states == set(TicketState.values), (company, states)


def test_the_demo_companies_that_take_applications_have_them_waiting_approved_and_rejected(world):
    rng = random.Random(2027)
    with tenant_context(world.pta_a):
        catalogue = demo._seed_catalogue(rng=rng)
        company = CompanyFactory()
        EmployeeFactory.create_batch(5, company=company)
        agreement = AgreementFactory(company=company)
        AgreementProductFactory(agreement=agreement, product=catalogue["ticket"], subsidy_percent=25)
        demo._seed_applications(rng=rng, fake=Faker("no_NO"), companies=[company])
        states = sorted(Application.objects.filter(company=company).values_list("state", flat=True))
        assert states == ["approved", "rejected", "waiting", "waiting", "waiting"]
        approved = Application.objects.get(company=company, state="approved")
        assert approved.approved_automatically and approved.ticket.employee == approved.employee
