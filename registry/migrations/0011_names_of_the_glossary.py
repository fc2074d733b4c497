"""Names as GLOSSARY.md has them (issue 28): the residents' tally is ResidentTally beside
FilingTally and CaseTally (its table, which triggers name, keeps its name); a change's 审核人
is reviewed_by, as a filing's is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_every_county_has_its_policy"),
        ("registry", "0010_station_tally"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel("StationTally", "ResidentTally"),
                migrations.AlterModelTable("ResidentTally", "registry_stationtally"),
            ],
            database_operations=[],
        ),
        migrations.RenameField("infochange", "decided_by", "reviewed_by"),
        migrations.RenameField("historicalinfochange", "decided_by", "reviewed_by"),
    ]
