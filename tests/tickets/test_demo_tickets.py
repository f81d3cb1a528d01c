"""The demo data (reporting/demo.py) gives every demo company corporate tickets in every state."""

from __future__ import annotations

import random

from django_tenants.utils import tenant_context

from reporting import demo
from tests.factories import CompanyFactory, EmployeeFactory
from tickets.models import Ticket, TicketState


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
