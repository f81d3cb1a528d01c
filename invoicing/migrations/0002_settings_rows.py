from django.db import migrations


def create_rows(apps, schema_editor):
    # Each PTA's schema has its one settings row and its one number series row from the start,
    # so issuing only ever locks a row that exists.
    apps.get_model("invoicing", "InvoiceSettings").objects.get_or_create(singleton=1)
    apps.get_model("invoicing", "InvoiceNumberSeries").objects.get_or_create(singleton=1)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
