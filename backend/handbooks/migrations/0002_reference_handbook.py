from django.db import migrations


def load_reference(apps, schema_editor):
    from handbooks import reference

    reference.load(apps, with_lines=False)


class Migration(migrations.Migration):
    dependencies = [("handbooks", "0001_initial")]

    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
