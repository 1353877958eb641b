from django.db import migrations


def load_bank(apps, schema_editor):
    from surveys import bank

    bank.load(apps)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_survey_tables")]

    operations = [migrations.RunPython(load_bank, migrations.RunPython.noop)]
