"""Agreements' products become rows: companies.Agreement.products (a JSON list
of names, or of objects with a "name") and Agreement.employer_subsidy_percent
become AgreementProduct rows of PTA products, before companies drops both
fields (companies 0007).

For each distinct name: the PTA's product of that name if there is one; else,
a name of the national base package gives the PTA its product adopted from
it; any other name becomes a local add-on (per employee per month, 25 % VAT:
the PTA checks both on its products page). An agreement with a subsidy gets
the corporate ticket, carrying the subsidy as its percentage.

Runs in every PTA schema (the router skips it in the public one) and reads the
national products through the public schema on the search path.
"""

from django.db import migrations

CORPORATE_TICKET = "corporate_ticket"
ADD_ON_UNIT = "employee_month"
ADD_ON_VAT = "25.00"


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _names(products) -> list[str]:
    names = []
    for item in products if isinstance(products, list) else []:
        name = item.get("name", "") if isinstance(item, dict) else str(item)
        name = " ".join(str(name).split())
        if name and _key(name) not in {_key(n) for n in names}:
            names.append(name)
    return names


class _Catalogue:
    def __init__(self, apps):
        self.Product = apps.get_model("tickets", "Product")
        national = list(apps.get_model("tenants", "NationalProduct").objects.all())
        self.national_by_name = {_key(n.name): n for n in national}
        self.national_by_code = {n.code: n for n in national}
        self.by_key = {_key(p.name): p for p in self.Product.objects.all()}

    def _adopt(self, national):
        existing = self.Product.objects.filter(national_product_id=national.pk).first()
        if existing is None:
            existing = self.Product.objects.create(
                national_product_id=national.pk,
                name=national.name,
                description=national.description,
                unit=national.unit,
                vat_rate=national.vat_rate,
            )
            self.by_key[_key(existing.name)] = existing
        return existing

    def for_name(self, name: str):
        key = _key(name)
        if key not in self.by_key:
            national = self.national_by_name.get(key)
            if national is not None:
                self.by_key[key] = self._adopt(national)
            else:
                self.by_key[key] = self.Product.objects.create(name=name, unit=ADD_ON_UNIT, vat_rate=ADD_ON_VAT)
        return self.by_key[key]

    def corporate_ticket(self):
        national = self.national_by_code.get(CORPORATE_TICKET)
        if national is None:  # the coordinator cannot delete it, but be safe: a local product of that name
            return self.for_name("Bedriftsbillett")
        return self._adopt(national)


def agreement_products_from_json(apps, schema_editor):
    Agreement = apps.get_model("companies", "Agreement")
    AgreementProduct = apps.get_model("tickets", "AgreementProduct")
    catalogue = None
    rows = []
    for agreement in Agreement.objects.order_by("pk"):
        names = _names(agreement.products)
        if not names and agreement.employer_subsidy_percent is None:
            continue
        catalogue = catalogue or _Catalogue(apps)
        chosen = {}
        for name in names:
            product = catalogue.for_name(name)
            chosen.setdefault(product.pk, AgreementProduct(agreement_id=agreement.pk, product_id=product.pk))
        if agreement.employer_subsidy_percent is not None:
            ticket = catalogue.corporate_ticket()
            row = chosen.setdefault(ticket.pk, AgreementProduct(agreement_id=agreement.pk, product_id=ticket.pk))
            row.subsidy_percent = agreement.employer_subsidy_percent
        rows.extend(chosen.values())
    AgreementProduct.objects.bulk_create(rows, batch_size=1000)


def agreement_products_to_json(apps, schema_editor):
    """Back to the JSON list (product names) and the percentage (of the corporate ticket's row)."""
    Agreement = apps.get_model("companies", "Agreement")
    AgreementProduct = apps.get_model("tickets", "AgreementProduct")
    by_agreement = {}
    for row in AgreementProduct.objects.select_related("product").order_by("agreement_id", "product__name"):
        by_agreement.setdefault(row.agreement_id, []).append(row)
    for agreement in Agreement.objects.filter(pk__in=by_agreement):
        rows = by_agreement[agreement.pk]
        agreement.products = [row.product.name for row in rows]
        subsidies = [row.subsidy_percent for row in rows if row.subsidy_percent is not None]
        agreement.employer_subsidy_percent = subsidies[0] if subsidies else None
        agreement.save(update_fields=["products", "employer_subsidy_percent"])
    AgreementProduct.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("companies", "0006_company_employer_zone_and_finance_sector"),
        ("tenants", "0008_national_base_package"),
    ]

    operations = [
        migrations.RunPython(agreement_products_from_json, agreement_products_to_json),
    ]
