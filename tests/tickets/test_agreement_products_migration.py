"""The data migration tickets 0002: an agreement's JSON list of products and its subsidy percentage
become AgreementProduct rows, before companies 0007 drops the two fields.

Django's migration executor pattern, in a scratch PTA schema: migrate it to the state before,
write agreements with the old fields through that state's models, migrate forwards, read the rows
through the new state's models. The schema is created inside the test's transaction, so its
rollback drops it again.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

SCHEMA = "migration_scratch"
BEFORE = [
    ("companies", "0006_company_employer_zone_and_finance_sector"),
    ("tickets", "0001_initial"),
]
AFTER = [("tickets", "0002_agreement_products_from_json"), ("companies", "0007_agreement_products_moved_to_tickets")]


@pytest.fixture
def scratch_schema(world):
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{SCHEMA}"')
    # Its own django_migrations table first, or the recorder would read the public schema's
    # (as django_tenants' migration executor does).
    connection.set_schema(SCHEMA, include_public=False)
    MigrationRecorder(connection).ensure_schema()
    connection.set_schema(SCHEMA)  # the public schema on the search path: the national products
    yield
    connection.set_schema_to_public()


def _migrate(targets):
    # Each migration commits on its own when `migrate` runs; inside the test's one transaction the
    # deferred foreign-key checks of the rows written so far must fire before a table is altered.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_json_products_and_subsidy_become_agreement_product_rows(scratch_schema):
    old = _migrate(BEFORE)
    Company = old.get_model("companies", "Company")
    Agreement = old.get_model("companies", "Agreement")
    Product = old.get_model("tickets", "Product")
    Product.objects.create(name="Bysykkel", unit="employee_month", vat_rate=Decimal("12.00"))  # the PTA has it
    with_everything = Agreement.objects.create(
        company=Company.objects.create(org_number="914778271", name="Alfa AS"),
        # A string, an object with a name, a national product's name, a repeat, blanks.
        products=["Bysykkel", {"name": "Sykkelsjekk"}, "  bysykkel ", "", {"name": ""}, "Elsparkesykkel"],
        employer_subsidy_percent=Decimal("50.00"),
    )
    subsidy_only = Agreement.objects.create(
        company=Company.objects.create(org_number="983544622", name="Beta AS"), employer_subsidy_percent=Decimal("100")
    )
    nothing = Agreement.objects.create(company=Company.objects.create(org_number="988077917", name="Gamma AS"))

    new = _migrate(AFTER)
    AgreementProduct = new.get_model("tickets", "AgreementProduct")
    NationalProduct = new.get_model("tenants", "NationalProduct")
    Product = new.get_model("tickets", "Product")

    rows = {
        row.product.name: row
        for row in AgreementProduct.objects.filter(agreement_id=with_everything.pk).select_related("product")
    }
    assert set(rows) == {"Bysykkel", "Sykkelsjekk", "Elsparkesykkel", "Bedriftsbillett"}
    assert rows["Bedriftsbillett"].subsidy_percent == Decimal("50.00")
    assert all(rows[name].subsidy_percent is None for name in ("Bysykkel", "Sykkelsjekk", "Elsparkesykkel"))
    # A base product's name adopts the national product; an unknown name becomes a local add-on.
    bike_check = NationalProduct.objects.get(code="bike_check")
    assert rows["Sykkelsjekk"].product.national_product_id == bike_check.pk
    assert rows["Elsparkesykkel"].product.national_product_id is None
    assert Product.objects.filter(name__iexact="bysykkel").count() == 1
    assert Product.objects.filter(national_product__isnull=False).count() == 2  # the ticket and the bike check

    (only,) = AgreementProduct.objects.filter(agreement_id=subsidy_only.pk).select_related("product")
    assert (only.product.name, only.subsidy_percent) == ("Bedriftsbillett", Decimal("100.00"))
    assert not AgreementProduct.objects.filter(agreement_id=nothing.pk).exists()
    # companies 0007 dropped the old fields.
    assert {f.name for f in new.get_model("companies", "Agreement")._meta.get_fields()}.isdisjoint(
        {"products", "employer_subsidy_percent"}
    )
