"""Publish version 1 of the national travel-habit question set (RVU), as
tenants.question_sets.STANDARD_V1 holds it. The coordinator makes later
versions on the national site. Public schema only (tenants is a shared app)."""

from django.db import migrations
from django.utils import timezone

from tenants.question_sets import STANDARD_V1, validate_question_set


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    NationalQuestionnaire = apps.get_model("tenants", "NationalQuestionnaire")
    NationalQuestionnaire.objects.get_or_create(
        version=1,
        defaults={
            "questions": validate_question_set(STANDARD_V1),
            "notes": "Den nasjonale standarden for reisevaneundersøkelser.",
            "published_at": timezone.now(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0009_nationalquestionnaire_regionsurveyfigures_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
