import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Kept rows become a kept plan with a fingerprint. Rows kept in the old
    form are dropped: those imports read their file again when confirmed."""

    dependencies = [
        ("employees", "0005_employee_export"),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM employees_employeeimportrows", reverse_sql=migrations.RunSQL.noop),
        migrations.RenameModel("EmployeeImportRows", "EmployeeImportPlan"),
        migrations.AlterField(
            model_name="employeeimportplan",
            name="employee_import",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="kept_plan",
                serialize=False,
                to="employees.employeeimport",
            ),
        ),
        migrations.AddField(
            model_name="employeeimportplan",
            name="fingerprint",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
    ]
