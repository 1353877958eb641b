"""Load the shared theme vocabulary (findings.vocabulary). Idempotent: rerunning
updates labels and descriptions by code and never deletes a code."""

from django.db import migrations


def load(apps, schema_editor):
    from findings.vocabulary import THEMES

    ThemeTag = apps.get_model("findings", "ThemeTag")
    for position, (code, label, description) in enumerate(THEMES, start=1):
        ThemeTag.objects.update_or_create(
            code=code,
            defaults={"label": label, "description": description, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("findings", "0001_findings_and_moderation")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
