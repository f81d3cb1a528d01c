import core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0003_invitation_invited_by_optional'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='phone',
            field=models.CharField(blank=True, help_text='For example 912 34 567 or +46 70 123 45 67.', max_length=16, validators=[core.validators.validate_phone_e164], verbose_name='phone number'),
        ),
    ]
