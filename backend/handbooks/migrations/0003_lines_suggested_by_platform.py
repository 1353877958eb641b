from django.db import migrations, models


def load_lines(apps, schema_editor):
    from handbooks import reference

    reference.load_lines(apps)


class Migration(migrations.Migration):
    dependencies = [("handbooks", "0002_reference_handbook")]

    operations = [
        migrations.AddField(
            model_name="lineofenquiry",
            name="suggested_by_platform",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(load_lines, migrations.RunPython.noop),
    ]
