"""Load the shared theme vocabulary (findings.vocabulary). Idempotent: rerunning
updates labels and descriptions by code and never deletes a code."""

from django.db import migrations


def load(apps, schema_editor):
    from findings import vocabulary

    vocabulary.load(apps)


class Migration(migrations.Migration):
    dependencies = [("findings", "0001_findings_and_moderation")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
