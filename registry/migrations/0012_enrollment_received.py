"""An enrollment's 已收材料 is `received`, as a case's is (GLOSSARY.md: the checklist's
received and missing)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0011_names_of_the_glossary")]

    operations = [
        migrations.RenameField("enrollment", "materials", "received"),
        migrations.RenameField("historicalenrollment", "materials", "received"),
    ]
