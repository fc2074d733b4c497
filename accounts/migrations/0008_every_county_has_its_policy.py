"""Every county has its policy row, with the defaults where none was saved: Policy.for_county
only reads (issue 28), and County.save makes one for each new county."""

from django.db import migrations


def make_policies(apps, schema_editor):
    County = apps.get_model("accounts", "County")
    Policy = apps.get_model("accounts", "Policy")
    have = set(Policy.objects.values_list("county_id", flat=True))
    Policy.objects.bulk_create(
        [Policy(county_id=pk) for pk in County.objects.values_list("pk", flat=True) if pk not in have]
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_posting_length_and_closed_in_error")]

    operations = [migrations.RunPython(make_policies, migrations.RunPython.noop)]
