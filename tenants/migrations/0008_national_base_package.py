"""Seed the national base package (grunnpakke): the nine products of the final
report's standard package (DOMAIN.md). The coordinator edits and retires them
on the national site afterwards. Public schema only (tenants is a shared app)."""

from decimal import Decimal

from django.db import migrations

SERVICE = Decimal("25.00")
TRANSPORT = Decimal("12.00")

# code, name (bokmål: data, the same on every page), unit, VAT rate, description
BASE_PACKAGE = [
    (
        "corporate_ticket",
        "Bedriftsbillett",
        "ticket_month",
        TRANSPORT,
        "Periodebillett for ansatte. Ordinær månedspris er årskortprisen delt på 12.",
    ),
    ("travel_survey", "Reisevaneundersøkelse (RVU)", "event", SERVICE, "Kartlegging av de ansattes reisevaner."),
    ("climate_report", "Klimarapport", "one_off", SERVICE, "Bærekraftsrapportering med Miljødata fra Entur."),
    (
        "activities",
        "Fysisk tilstedeværelse (aktiviteter)",
        "event",
        SERVICE,
        "Stands, arrangementer og mobilitetsprat hos bedriften.",
    ),
    ("ebike_leasing", "Elsykkelleasing", "employee_month", SERVICE, "Leasing av elsykkel for ansatte."),
    ("health_talk", "Helseprat", "event", SERVICE, "Foredrag om helse og aktiv reise."),
    ("bike_check", "Sykkelsjekk", "event", SERVICE, "Enkel sjekk og justering av de ansattes sykler."),
    ("ebike_trial", "Prøv elsykkel", "event", SERVICE, "Smaksprøve: de ansatte låner en elsykkel en periode."),
    ("la_bilen_sta", "La Bilen Stå-kampanje", "event", SERVICE, "Kampanje for å la bilen stå i en periode."),
]


def seed(apps, schema_editor):
    NationalProduct = apps.get_model("tenants", "NationalProduct")
    for position, (code, name, unit, vat_rate, description) in enumerate(BASE_PACKAGE, start=1):
        NationalProduct.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "vat_rate": vat_rate,
                "description": description,
                "position": position * 10,
            },
        )


def unseed(apps, schema_editor):
    NationalProduct = apps.get_model("tenants", "NationalProduct")
    NationalProduct.objects.filter(code__in=[code for code, *_rest in BASE_PACKAGE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0007_nationalproduct"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
