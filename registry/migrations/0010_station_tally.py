"""Each station's resident count, kept by triggers on registry_resident (registry.models.
StationTally; the triggers' SQL from core/tallies.py): the caseworker's home page reads one row
instead of counting a station's residents (5 ms at 50,000) every time it is built."""

import django.db.models.deletion
from django.db import migrations, models

from core.tallies import kept_by_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_help_without_references"),
        ("registry", "0009_enrollment_guardian"),
    ]

    operations = [
        migrations.CreateModel(
            name="StationTally",
            fields=[
                (
                    "station",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.station",
                    ),
                ),
                ("residents", models.IntegerField(default=0)),
            ],
        ),
        kept_by_triggers("registry_resident", "registry_stationtally", "residents"),
    ]
