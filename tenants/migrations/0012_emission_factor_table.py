"""Seed the national emission factor table (tenants.factors.SEED_TABLE: tailpipe basis,
from 2019, open-ended; its docstring says which rows are published Norwegian figures
and which are substitutes). The coordinator edits it on the national site. Public
schema only (tenants is a shared app)."""

from django.db import migrations

from tenants.factors import SEED_TABLE, check_table


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    EmissionFactor = apps.get_model("tenants", "EmissionFactor")
    if EmissionFactor.objects.exists():
        return
    EmissionFactor.objects.bulk_create(
        EmissionFactor(
            mode=row.mode,
            grams_per_pkm=row.grams_per_pkm,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            basis=row.basis,
            source=row.source,
            source_year=row.source_year,
            norwegian=row.norwegian,
            note=row.note,
        )
        for row in check_table(list(SEED_TABLE))
    )


def unseed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("tenants", "EmissionFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tenants", "0011_emissionfactor")]

    operations = [migrations.RunPython(seed, unseed)]
